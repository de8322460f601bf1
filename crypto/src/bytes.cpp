// Hex and I2OSP (see bytes.hpp).
#include "pingyi/crypto/bytes.hpp"

namespace pingyi::crypto {

namespace {
int hex_value(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
}  // namespace

std::string to_hex(byte_view b) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out(b.size() * 2, '\0');
  for (std::size_t i = 0; i < b.size(); ++i) {
    out[2 * i] = digits[b[i] >> 4];
    out[2 * i + 1] = digits[b[i] & 0x0f];
  }
  return out;
}

result<bytes> from_hex(std::string_view hex) {
  if (hex.size() % 2 != 0) return fail(error::invalid_encoding);
  bytes out(hex.size() / 2);
  for (std::size_t i = 0; i < out.size(); ++i) {
    const int hi = hex_value(hex[2 * i]);
    const int lo = hex_value(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return fail(error::invalid_encoding);
    out[i] = static_cast<byte>((hi << 4) | lo);
  }
  return out;
}

bytes i2osp(std::uint64_t n, std::size_t k) {
  bytes out(k);
  for (std::size_t i = 0; i < k; ++i) {
    out[k - 1 - i] = i < 8 ? static_cast<byte>(n >> (8 * i)) : 0;
  }
  return out;
}

}  // namespace pingyi::crypto
