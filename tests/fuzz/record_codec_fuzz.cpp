// Fuzz target: the record codec (DESIGN.md §3.6, docs/RECORDS.md) — core::decode of one chain
// line, as replay, the verifier and every observer run it on bytes from disk or the network.
//   - every line decodes or is refused with BAD_REQUEST, INVALID_POINT or PAYLOAD_TOO_LARGE,
//     naming the field in valid UTF-8 (the verifier prints it);
//   - a line that decodes is the one spelling of its record that JSON allows: encode(decode(x))
//     is x's compact form, so the decoder keeps every field, in order, and admits no second
//     spelling of a value (number forms, hex case, key order). The strict form, encode(decode(x))
//     == x byte for byte, does not hold: decode (and client-web's verifier) accept JSON
//     whitespace and string escapes (docs/RELIABILITY.md, "Fuzzing": found, left to decide).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_property.hpp"
#include "pingyi/core/record.hpp"
#include "pingyi/core/strict_json.hpp"
#include "pingyi/core/utf8.hpp"
#include "pingyi/crypto/init.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace pingyi;
  using fuzz::must;
  static const bool ready = crypto::init();
  must(ready, "libsodium initialises");
  const std::string_view line(reinterpret_cast<const char*>(data), size);

  const auto decoded = core::decode(line);
  if (!decoded) {
    const auto& e = decoded.error();
    must(e.code == core::error_code::bad_request || e.code == core::error_code::invalid_point ||
             e.code == core::error_code::payload_too_large,
         "the record codec refuses only with BAD_REQUEST, INVALID_POINT or PAYLOAD_TOO_LARGE", e);
    must(core::is_valid_utf8(core::describe(e)), "a refusal of the record codec is valid UTF-8", e);
    return 0;
  }
  must(core::is_valid_utf8(line), "a line that decodes is UTF-8");
  const std::string encoded = core::encode(*decoded);
  const auto document = core::parse_strict_json(line, core::max_json_depth);
  must(document.ok(), "a line that decodes is strict JSON");
  if (encoded != document->dump(-1, ' ', false)) {
    fuzz::violated("a line that decodes re-encodes to its compact form: encode(decode(line)) == compact(line)", encoded);
  }
  return 0;
}
