// Byte strings, hex, and the transcript builder used for every hash and signature input
// (DESIGN.md §3: I2OSP, lp(x) = I2OSP(len(x), 2) ‖ x, and plain concatenation).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "pingyi/crypto/result.hpp"

namespace pingyi::crypto {

using byte = std::uint8_t;
using bytes = std::vector<byte>;
using byte_view = std::span<const byte>;
template <std::size_t N>
using byte_array = std::array<byte, N>;

// The bytes of a string (UTF-8 for ids, ASCII for domain separation tags).
[[nodiscard]] inline byte_view as_bytes(std::string_view s) noexcept {
  return {reinterpret_cast<const byte*>(s.data()), s.size()};
}

// Lower-case hex, as every hex field of the chain.
[[nodiscard]] std::string to_hex(byte_view b);
// Accepts upper or lower case; rejects odd length and non-hex characters.
[[nodiscard]] result<bytes> from_hex(std::string_view hex);

template <std::size_t N>
[[nodiscard]] result<byte_array<N>> from_hex_fixed(std::string_view hex) {
  if (hex.size() != 2 * N) return fail(error::invalid_encoding);
  auto decoded = from_hex(hex);
  if (!decoded) return decoded.error();
  byte_array<N> out{};
  for (std::size_t i = 0; i < N; ++i) out[i] = (*decoded)[i];
  return out;
}

// I2OSP(n, k): n as k big-endian bytes (k ≤ 8; n must fit, which callers guarantee).
[[nodiscard]] bytes i2osp(std::uint64_t n, std::size_t k);

// Builds a byte string field by field. `raw` concatenates, `lp` length-prefixes with two
// big-endian bytes (the caller guarantees each field is shorter than 65,536 bytes), and
// u8/u16/u32/u64 append I2OSP of the given width.
class transcript {
 public:
  transcript& raw(byte_view b) {
    buf_.insert(buf_.end(), b.begin(), b.end());
    return *this;
  }
  transcript& raw(std::string_view s) { return raw(as_bytes(s)); }
  template <std::size_t N>
  transcript& raw(const byte_array<N>& a) {
    return raw(byte_view{a});
  }
  transcript& lp(byte_view b) {
    u16(static_cast<std::uint16_t>(b.size()));
    return raw(b);
  }
  transcript& lp(std::string_view s) { return lp(as_bytes(s)); }
  template <std::size_t N>
  transcript& lp(const byte_array<N>& a) {
    return lp(byte_view{a});
  }
  transcript& u8(std::uint8_t n) {
    buf_.push_back(n);
    return *this;
  }
  transcript& u16(std::uint16_t n) { return be(n, 2); }
  transcript& u32(std::uint32_t n) { return be(n, 4); }
  transcript& u64(std::uint64_t n) { return be(n, 8); }

  // Reserves room for the whole transcript (hot paths know its final size).
  transcript& reserve(std::size_t n) {
    buf_.reserve(n);
    return *this;
  }

  [[nodiscard]] const bytes& data() const noexcept { return buf_; }
  [[nodiscard]] byte_view view() const noexcept { return buf_; }
  [[nodiscard]] bytes take() && noexcept { return std::move(buf_); }

 private:
  // Appends through a fixed array rather than a push_back per byte: GCC 12 at -O3 reports a false
  // -Wstringop-overflow on chains of single-byte push_backs into a vector.
  transcript& be(std::uint64_t n, int width) {
    std::array<byte, 8> b{};
    for (int i = 0; i < width; ++i) b[static_cast<std::size_t>(i)] = static_cast<byte>(n >> (8 * (width - 1 - i)));
    buf_.insert(buf_.end(), b.begin(), b.begin() + width);
    return *this;
  }
  bytes buf_;
};

}  // namespace pingyi::crypto
