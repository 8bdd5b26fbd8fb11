// web/content_decoding.h — removes HTTP Content-Encoding (gzip, x-gzip, deflate, br) with
// a hard cap on decoded bytes, so a decompression bomb ends in "too-large" instead of memory
// exhaustion. Streaming: feed the chunks a curl write callback gets, in order.
//
//   ContentDecoder dec("gzip", 50 << 20);
//   std::string out;
//   if (!dec.feed(chunk, &out)) ... dec.status() says why (code "too-large", "corrupt", …)
//   dec.finish(&out);  // at end of body: detects a truncated stream
//
// A decoder is used by one thread at a time. It never throws for bad input.
#pragma once
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace odh {

struct DecodeStatus {
  // "" ok; "too-large" (cap reached), "corrupt" (bad/truncated stream), "unsupported" (encoding).
  std::string code;
  std::string message;  // human-readable detail
  bool ok() const { return code.empty(); }
};

class ContentDecoder {
 public:
  // encoding: a Content-Encoding value; a list ("gzip, br") is undone right to left.
  // "identity" and "" pass bytes through (still capped). max_output caps the decoded bytes
  // (and each intermediate stage); the decoder never holds more than that plus 64 KiB.
  ContentDecoder(std::string_view encoding, std::size_t max_output);
  ~ContentDecoder();
  ContentDecoder(const ContentDecoder&) = delete;
  ContentDecoder& operator=(const ContentDecoder&) = delete;

  // Appends the bytes decoded from `in` to *out. False once an error happened (then status()
  // says which; later calls do nothing). At most max_output bytes are ever appended in total.
  bool feed(std::string_view in, std::string* out);
  // Ends the body: false when a compressed stream was incomplete ("corrupt", truncated).
  bool finish(std::string* out);

  const DecodeStatus& status() const { return status_; }
  std::size_t decoded_bytes() const { return total_out_; }

  // True for encodings this build can decode (gzip, x-gzip, deflate, br, identity).
  static bool supported(std::string_view encoding);

  struct Stage;  // one codec (implementation detail)

 private:
  bool run(std::size_t stage, std::string_view in, bool last, std::string* out);
  std::vector<std::unique_ptr<Stage>> stages_;  // in decoding order
  std::size_t max_output_;
  std::size_t total_out_ = 0;
  DecodeStatus status_;
};

// One-shot form: decodes body; on error returns the status and leaves what decoded in *out.
DecodeStatus decode_content(std::string_view encoding, std::string_view body, std::size_t max_output,
                            std::string* out);

}  // namespace odh
