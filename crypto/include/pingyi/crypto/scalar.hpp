// Scalars modulo ℓ, the order of ristretto255 (DESIGN.md §3): 32-byte little-endian canonical
// encodings, constructed only through checked decoding, reduction or arithmetic. Every scalar
// is wiped when it goes away, since many of them (keys, nonces, randomness) are secrets.
#pragma once

#include <cstdint>

#include "pingyi/crypto/bytes.hpp"
#include "pingyi/crypto/random.hpp"
#include "pingyi/crypto/result.hpp"

namespace pingyi::crypto {

class scalar {
 public:
  static constexpr std::size_t size = 32;

  scalar() noexcept = default;  // zero
  scalar(const scalar&) noexcept = default;
  scalar& operator=(const scalar&) noexcept = default;
  ~scalar();

  [[nodiscard]] static scalar zero() noexcept { return scalar{}; }
  [[nodiscard]] static scalar one() noexcept { return from_u64(1); }
  [[nodiscard]] static scalar from_u64(std::uint64_t n) noexcept;

  // Accepts exactly 32 bytes encoding a value < ℓ (a scalar_reduce is not a validity check).
  [[nodiscard]] static result<scalar> decode(byte_view b);
  [[nodiscard]] static result<scalar> from_hex(std::string_view hex);
  // As decode, and also rejects zero (for secret keys and blinds).
  [[nodiscard]] static result<scalar> decode_non_zero(byte_view b);

  // 64 bytes reduced modulo ℓ (crypto_core_ristretto255_scalar_reduce).
  [[nodiscard]] static scalar reduce(const byte_array<64>& wide) noexcept;
  // A uniform scalar: the reduction of 64 bytes drawn from `rng`.
  [[nodiscard]] static scalar random(random_source& rng);
  // A uniform non-zero scalar (draws again on zero).
  [[nodiscard]] static scalar random_non_zero(random_source& rng);

  [[nodiscard]] bool is_zero() const noexcept;
  // The multiplicative inverse; fails for zero.
  [[nodiscard]] result<scalar> invert() const;

  [[nodiscard]] const byte_array<32>& bytes() const noexcept { return b_; }
  [[nodiscard]] std::string hex() const { return to_hex(b_); }

  friend scalar operator+(const scalar& a, const scalar& b) noexcept;
  friend scalar operator-(const scalar& a, const scalar& b) noexcept;
  friend scalar operator*(const scalar& a, const scalar& b) noexcept;
  friend scalar operator-(const scalar& a) noexcept;
  scalar& operator+=(const scalar& b) noexcept { return *this = *this + b; }
  scalar& operator-=(const scalar& b) noexcept { return *this = *this - b; }
  // Constant time.
  friend bool operator==(const scalar& a, const scalar& b) noexcept;

 private:
  byte_array<32> b_{};
};

// True when 32 little-endian bytes encode a value < ℓ. Constant time.
[[nodiscard]] bool is_canonical_scalar(byte_view b) noexcept;

}  // namespace pingyi::crypto
