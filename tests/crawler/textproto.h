// A reader for the small subset of protobuf text format used by the robotstxt
// spec-test cases: fields `name: value` / `name { ... }` / `name: [ {...}, ... ]`,
// C-escaped strings (adjacent literals concatenate), enum identifiers, # comments.
#pragma once
#include <cctype>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace odh::textproto {

struct Message;
struct Value {
  std::string scalar;                // string contents or identifier
  std::shared_ptr<Message> message;  // set for nested messages
};
struct Message {
  std::multimap<std::string, Value> fields;
  std::string get(const std::string& name, const std::string& dflt = "") const {
    auto it = fields.find(name);
    return it == fields.end() ? dflt : it->second.scalar;
  }
  std::vector<const Message*> messages(const std::string& name) const {
    std::vector<const Message*> out;
    auto [b, e] = fields.equal_range(name);
    for (auto it = b; it != e; ++it)
      if (it->second.message) out.push_back(it->second.message.get());
    return out;
  }
};

class Parser {
 public:
  explicit Parser(std::string_view s) : s_(s) {}
  Message parse() {
    Message m;
    parse_fields(m, '\0');
    return m;
  }

 private:
  [[noreturn]] void fail(const std::string& why) {
    throw std::runtime_error("textproto at byte " + std::to_string(i_) + ": " + why);
  }
  void skip() {
    while (i_ < s_.size()) {
      char c = s_[i_];
      if (c == '#') {
        while (i_ < s_.size() && s_[i_] != '\n') ++i_;
      } else if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ',' || c == ';') {
        ++i_;
      } else {
        break;
      }
    }
  }
  std::string ident() {
    skip();
    std::size_t b = i_;
    while (i_ < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[i_])) || s_[i_] == '_' ||
                              s_[i_] == '.' || s_[i_] == '-'))
      ++i_;
    if (b == i_) fail("expected identifier");
    return std::string(s_.substr(b, i_ - b));
  }
  static int hexv(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  }
  void string_lit(std::string& out) {
    char q = s_[i_++];
    while (i_ < s_.size() && s_[i_] != q) {
      char c = s_[i_++];
      if (c != '\\') {
        out += c;
        continue;
      }
      if (i_ >= s_.size()) fail("dangling escape");
      char e = s_[i_++];
      switch (e) {
        case 'n':
          out += '\n';
          break;
        case 'r':
          out += '\r';
          break;
        case 't':
          out += '\t';
          break;
        case 'a':
          out += '\a';
          break;
        case 'b':
          out += '\b';
          break;
        case 'f':
          out += '\f';
          break;
        case 'v':
          out += '\v';
          break;
        case 'x': {
          int v = 0, n = 0;
          while (n < 2 && i_ < s_.size() && hexv(s_[i_]) >= 0) v = v * 16 + hexv(s_[i_++]), ++n;
          if (n == 0) fail("bad \\x");
          out += static_cast<char>(v);
          break;
        }
        default:
          if (e >= '0' && e <= '7') {
            int v = e - '0', n = 1;
            while (n < 3 && i_ < s_.size() && s_[i_] >= '0' && s_[i_] <= '7')
              v = v * 8 + (s_[i_++] - '0'), ++n;
            out += static_cast<char>(v);
          } else {
            out += e;  // \\ \" \' \?
          }
      }
    }
    if (i_ >= s_.size()) fail("unterminated string");
    ++i_;
  }
  Value value() {
    skip();
    if (i_ >= s_.size()) fail("expected value");
    Value v;
    char c = s_[i_];
    if (c == '{' || c == '<') {
      ++i_;
      v.message = std::make_shared<Message>();
      parse_fields(*v.message, c == '{' ? '}' : '>');
    } else if (c == '"' || c == '\'') {
      while (i_ < s_.size() && (s_[i_] == '"' || s_[i_] == '\'')) {
        string_lit(v.scalar);
        skip();
      }
    } else {
      v.scalar = ident();
    }
    return v;
  }
  void parse_fields(Message& m, char close) {
    for (;;) {
      skip();
      if (i_ >= s_.size()) {
        if (close) fail("unexpected end");
        return;
      }
      if (s_[i_] == close) {
        ++i_;
        return;
      }
      std::string name = ident();
      skip();
      if (i_ < s_.size() && s_[i_] == ':') ++i_;
      skip();
      if (i_ < s_.size() && s_[i_] == '[') {
        ++i_;
        for (;;) {
          skip();
          if (i_ < s_.size() && s_[i_] == ']') {
            ++i_;
            break;
          }
          m.fields.emplace(name, value());
        }
      } else {
        m.fields.emplace(name, value());
      }
    }
  }
  std::string_view s_;
  std::size_t i_ = 0;
};

}  // namespace odh::textproto
