#include "web/content_decoding.h"

#include <brotli/decode.h>
#include <zlib.h>

#include <cctype>
#include <functional>

namespace odh {

namespace {

constexpr std::size_t kChunk = 64 * 1024;

// Receives decoded bytes; returns false to stop (the cap was hit downstream).
using Emit = std::function<bool(const char*, std::size_t)>;

std::string lower_trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  std::string o(s);
  for (auto& c : o) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return o;
}

std::vector<std::string> split_encodings(std::string_view enc) {
  std::vector<std::string> v;
  std::size_t start = 0;
  while (start <= enc.size()) {
    std::size_t comma = enc.find(',', start);
    if (comma == std::string_view::npos) comma = enc.size();
    std::string e = lower_trim(enc.substr(start, comma - start));
    if (!e.empty() && e != "identity") v.push_back(e);
    start = comma + 1;
  }
  return v;
}

}  // namespace

struct ContentDecoder::Stage {
  virtual ~Stage() = default;
  std::size_t out_bytes = 0;  // decoded so far by this stage (the cap applies to each stage)
  // Decodes in; calls emit for output. Returns "" or an error code + message via st.
  virtual bool feed(std::string_view in, const Emit& emit, DecodeStatus* st) = 0;
  virtual bool finish(const Emit& emit, DecodeStatus* st) = 0;
};

namespace {

// A stage's error: the stream is corrupt (`msg` says how); returns false.
bool fail(DecodeStatus* st, std::string msg) {
  st->code = "corrupt";
  st->message = std::move(msg);
  return false;
}

class ZlibStage : public ContentDecoder::Stage {
 public:
  explicit ZlibStage(bool gzip) : gzip_(gzip) {}
  ~ZlibStage() override {
    if (ready_) inflateEnd(&zs_);
  }

  bool feed(std::string_view in, const Emit& emit, DecodeStatus* st) override {
    if (done_) return true;  // bytes after the end of the stream are ignored (as browsers do)
    if (!ready_) {
      head_.append(in);
      if (head_.size() < 2) return true;
      int bits = 15 + 16;
      if (!gzip_) {
        // "deflate" is zlib-wrapped by the RFC, but servers also send raw deflate.
        auto b0 = static_cast<unsigned char>(head_[0]), b1 = static_cast<unsigned char>(head_[1]);
        bool zlib = (b0 & 0x0f) == 8 && ((b0 << 8) | b1) % 31 == 0;
        bits = zlib ? 15 : -15;
      }
      if (inflateInit2(&zs_, bits) != Z_OK) return fail(st, "zlib initialisation failed");
      ready_ = true;
      std::string h;
      h.swap(head_);
      return run(h, emit, st);
    }
    return run(in, emit, st);
  }

  bool finish(const Emit& emit, DecodeStatus* st) override {
    if (!ready_ && !head_.empty()) {
      std::string h;
      h.swap(head_);
      if (h.size() == 1) return fail(st, std::string(gzip_ ? "gzip" : "deflate") + " stream truncated");
    }
    if (ready_ && !done_) return fail(st, std::string(gzip_ ? "gzip" : "deflate") + " stream truncated");
    return true;
  }

 private:
  bool run(std::string_view in, const Emit& emit, DecodeStatus* st) {
    char out[kChunk];
    while (true) {
      if (done_) return true;
      zs_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
      zs_.avail_in = static_cast<uInt>(std::min<std::size_t>(in.size(), 1u << 30));
      std::size_t offered = zs_.avail_in;
      zs_.next_out = reinterpret_cast<Bytef*>(out);
      zs_.avail_out = sizeof out;
      int rc = inflate(&zs_, Z_NO_FLUSH);
      in.remove_prefix(offered - zs_.avail_in);
      std::size_t produced = sizeof out - zs_.avail_out;
      if (produced && !emit(out, produced)) return false;
      if (rc == Z_STREAM_END) {
        // gzip allows several members back to back; anything else after the end is ignored.
        if (gzip_ && in.size() >= 2 && static_cast<unsigned char>(in[0]) == 0x1f &&
            static_cast<unsigned char>(in[1]) == 0x8b) {
          inflateReset(&zs_);
          continue;
        }
        done_ = true;
        return true;
      }
      if (rc == Z_NEED_DICT || rc == Z_DATA_ERROR || rc == Z_MEM_ERROR || rc == Z_STREAM_ERROR)
        return fail(st,
                    std::string(gzip_ ? "gzip" : "deflate") + " data error: " + (zs_.msg ? zs_.msg : "?"));
      if (rc == Z_BUF_ERROR && produced == 0 && zs_.avail_in == offered) return true;  // needs more input
      if (in.empty() && produced < sizeof out) return true;  // all input used, output drained
    }
  }

  bool gzip_;
  bool ready_ = false, done_ = false;
  std::string head_;
  z_stream zs_{};
};

class BrotliStage : public ContentDecoder::Stage {
 public:
  BrotliStage() : s_(BrotliDecoderCreateInstance(nullptr, nullptr, nullptr)) {}
  ~BrotliStage() override { BrotliDecoderDestroyInstance(s_); }

  bool feed(std::string_view in, const Emit& emit, DecodeStatus* st) override {
    if (!s_) return fail(st, "brotli initialisation failed");
    seen_input_ = seen_input_ || !in.empty();
    const uint8_t* next_in = reinterpret_cast<const uint8_t*>(in.data());
    std::size_t avail_in = in.size();
    uint8_t out[kChunk];
    while (true) {
      uint8_t* next_out = out;
      std::size_t avail_out = sizeof out;
      BrotliDecoderResult r =
          BrotliDecoderDecompressStream(s_, &avail_in, &next_in, &avail_out, &next_out, nullptr);
      std::size_t produced = sizeof out - avail_out;
      if (produced && !emit(reinterpret_cast<const char*>(out), produced)) return false;
      if (r == BROTLI_DECODER_RESULT_ERROR)
        return fail(
            st, std::string("brotli data error: ") + BrotliDecoderErrorString(BrotliDecoderGetErrorCode(s_)));
      if (r == BROTLI_DECODER_RESULT_SUCCESS) {
        done_ = true;
        return true;
      }
      if (r == BROTLI_DECODER_RESULT_NEEDS_MORE_INPUT) return true;
      // NEEDS_MORE_OUTPUT: loop with a fresh buffer
    }
  }

  bool finish(const Emit&, DecodeStatus* st) override {
    if (seen_input_ && !done_) return fail(st, "brotli stream truncated");
    return true;
  }

 private:
  BrotliDecoderState* s_;
  bool done_ = false, seen_input_ = false;
};

class IdentityStage : public ContentDecoder::Stage {
 public:
  bool feed(std::string_view in, const Emit& emit, DecodeStatus*) override {
    return in.empty() || emit(in.data(), in.size());
  }
  bool finish(const Emit&, DecodeStatus*) override { return true; }
};

}  // namespace

bool ContentDecoder::supported(std::string_view encoding) {
  for (const auto& e : split_encodings(encoding))
    if (e != "gzip" && e != "x-gzip" && e != "deflate" && e != "br") return false;
  return true;
}

ContentDecoder::ContentDecoder(std::string_view encoding, std::size_t max_output) : max_output_(max_output) {
  auto encs = split_encodings(encoding);
  // Content-Encoding lists codings in the order they were applied: undo from the right.
  for (auto it = encs.rbegin(); it != encs.rend(); ++it) {
    if (*it == "gzip" || *it == "x-gzip")
      stages_.push_back(std::make_unique<ZlibStage>(true));
    else if (*it == "deflate")
      stages_.push_back(std::make_unique<ZlibStage>(false));
    else if (*it == "br")
      stages_.push_back(std::make_unique<BrotliStage>());
    else {
      status_.code = "unsupported";
      status_.message = "unsupported Content-Encoding '" + *it + "'";
      return;
    }
  }
  stages_.push_back(std::make_unique<IdentityStage>());  // applies the cap uniformly
}

ContentDecoder::~ContentDecoder() = default;

// Feeds `in` to stage i; its output flows to stage i+1, the last stage appends to *out.
bool ContentDecoder::run(std::size_t i, std::string_view in, bool last, std::string* out) {
  Emit emit = [&](const char* p, std::size_t n) -> bool {
    if (!status_.ok()) return false;
    stages_[i]->out_bytes += n;
    if (i + 1 == stages_.size()) {
      if (total_out_ + n > max_output_) {
        out->append(p, max_output_ - total_out_);
        total_out_ = max_output_;
        status_.code = "too-large";
        status_.message = "decoded body exceeds the limit of " + std::to_string(max_output_) + " bytes";
        return false;
      }
      out->append(p, n);
      total_out_ += n;
      return true;
    }
    if (stages_[i]->out_bytes > max_output_) {  // an intermediate stage is a bomb too
      status_.code = "too-large";
      status_.message = "decoded body exceeds the limit of " + std::to_string(max_output_) + " bytes";
      return false;
    }
    return run(i + 1, std::string_view(p, n), false, out);
  };
  bool ok = last ? stages_[i]->finish(emit, &status_) : stages_[i]->feed(in, emit, &status_);
  if (!ok) return false;
  if (last && i + 1 < stages_.size()) return run(i + 1, {}, true, out);
  return status_.ok();
}

bool ContentDecoder::feed(std::string_view in, std::string* out) {
  if (!status_.ok()) return false;
  return run(0, in, false, out) && status_.ok();
}

bool ContentDecoder::finish(std::string* out) {
  if (!status_.ok()) return false;
  return run(0, {}, true, out) && status_.ok();
}

DecodeStatus decode_content(std::string_view encoding, std::string_view body, std::size_t max_output,
                            std::string* out) {
  ContentDecoder d(encoding, max_output);
  if (d.feed(body, out)) d.finish(out);
  return d.status();
}

}  // namespace odh
