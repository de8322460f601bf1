// UTF-8 validation per RFC 3629 §4 (the byte ranges of its syntax table, which exclude overlong
// forms and surrogates by construction).
#include "pingyi/core/utf8.hpp"

#include <cstddef>

namespace pingyi::core {

bool is_valid_utf8(std::string_view s) noexcept {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const std::size_t n = s.size();
  std::size_t i = 0;
  auto in = [](unsigned char c, unsigned lo, unsigned hi) { return c >= lo && c <= hi; };
  while (i < n) {
    const unsigned char c = p[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    std::size_t len = 0;
    unsigned lo = 0x80, hi = 0xBF;  // range of the second byte
    if (in(c, 0xC2, 0xDF)) {
      len = 2;
    } else if (c == 0xE0) {
      len = 3, lo = 0xA0;
    } else if (in(c, 0xE1, 0xEC) || in(c, 0xEE, 0xEF)) {
      len = 3;
    } else if (c == 0xED) {
      len = 3, hi = 0x9F;  // no surrogates
    } else if (c == 0xF0) {
      len = 4, lo = 0x90;
    } else if (in(c, 0xF1, 0xF3)) {
      len = 4;
    } else if (c == 0xF4) {
      len = 4, hi = 0x8F;  // nothing above U+10FFFF
    } else {
      return false;  // a continuation byte, C0/C1 (overlong) or F5…FF
    }
    if (n - i < len) return false;
    if (!in(p[i + 1], lo, hi)) return false;
    for (std::size_t k = 2; k < len; ++k) {
      if (!in(p[i + k], 0x80, 0xBF)) return false;
    }
    i += len;
  }
  return true;
}

}  // namespace pingyi::core
