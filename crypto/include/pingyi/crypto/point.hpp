// ristretto255 group elements (DESIGN.md §3): canonical 32-byte encodings, constructed only
// through checked decoding, hashing or arithmetic. The identity is a named value (32 zero
// bytes), never the accident of a failed libsodium call: libsodium's scalar multiplication
// returns −1 for a zero scalar or an identity result, and is_valid_point accepts the identity
// in 1.0.18 but rejects it in later versions, so this type handles both explicitly.
#pragma once

#include "pingyi/crypto/bytes.hpp"
#include "pingyi/crypto/result.hpp"
#include "pingyi/crypto/scalar.hpp"

namespace pingyi::crypto {

class point {
 public:
  static constexpr std::size_t size = 32;

  point() noexcept = default;  // the identity

  [[nodiscard]] static point identity() noexcept { return point{}; }
  [[nodiscard]] static const point& generator() noexcept;

  // Accepts exactly 32 bytes in canonical ristretto255 encoding; the identity is accepted
  // (sums and decryption shares may be the identity).
  [[nodiscard]] static result<point> decode(byte_view b);
  [[nodiscard]] static result<point> from_hex(std::string_view hex);
  // As decode, and rejects the identity (ballot points, token elements, public keys).
  [[nodiscard]] static result<point> decode_non_identity(byte_view b);
  [[nodiscard]] static result<point> from_hex_non_identity(std::string_view hex);

  // crypto_core_ristretto255_from_hash: the one-way map of 64 uniform bytes to the group.
  [[nodiscard]] static point from_uniform(const byte_array<64>& uniform) noexcept;

  // s·G. A zero scalar gives the identity.
  [[nodiscard]] static point mul_base(const scalar& s) noexcept;

  [[nodiscard]] bool is_identity() const noexcept;
  [[nodiscard]] const byte_array<32>& bytes() const noexcept { return b_; }
  [[nodiscard]] std::string hex() const { return to_hex(b_); }

  friend point operator+(const point& a, const point& b) noexcept;
  friend point operator-(const point& a, const point& b) noexcept;
  // s·P. A zero scalar or the identity gives the identity.
  friend point operator*(const scalar& s, const point& p) noexcept;
  point& operator+=(const point& b) noexcept { return *this = *this + b; }
  point& operator-=(const point& b) noexcept { return *this = *this - b; }
  friend bool operator==(const point& a, const point& b) noexcept { return a.b_ == b.b_; }

 private:
  byte_array<32> b_{};
};

}  // namespace pingyi::crypto
