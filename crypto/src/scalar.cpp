// Scalars modulo ℓ over libsodium's crypto_core_ristretto255_scalar_* (see scalar.hpp).
#include "pingyi/crypto/scalar.hpp"

#include <sodium.h>

namespace pingyi::crypto {

namespace {
// ℓ = 2^252 + 27742317777372353535851937790883648493, little-endian.
constexpr byte_array<32> group_order = {
    0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10};
}  // namespace

bool is_canonical_scalar(byte_view b) noexcept {
  if (b.size() != scalar::size) return false;
  // b < ℓ exactly when b − ℓ borrows; computed over every byte without branching on the data.
  unsigned borrow = 0;
  for (std::size_t i = 0; i < 32; ++i) {
    const unsigned diff = static_cast<unsigned>(b[i]) - group_order[i] - borrow;
    borrow = (diff >> 8) & 1u;
  }
  return borrow == 1;
}

scalar::~scalar() { sodium_memzero(b_.data(), b_.size()); }

scalar scalar::from_u64(std::uint64_t n) noexcept {
  scalar s;
  for (int i = 0; i < 8; ++i) s.b_[i] = static_cast<byte>(n >> (8 * i));
  return s;  // < 2^64 < ℓ, canonical
}

result<scalar> scalar::decode(byte_view b) {
  if (b.size() != size) return fail(error::invalid_encoding);
  if (!is_canonical_scalar(b)) return fail(error::invalid_scalar);
  scalar s;
  std::copy(b.begin(), b.end(), s.b_.begin());
  return s;
}

result<scalar> scalar::from_hex(std::string_view hex) {
  auto raw = from_hex_fixed<32>(hex);
  if (!raw) return raw.error();
  return decode(*raw);
}

result<scalar> scalar::decode_non_zero(byte_view b) {
  auto s = decode(b);
  if (s && s->is_zero()) return fail(error::invalid_scalar);
  return s;
}

scalar scalar::reduce(const byte_array<64>& wide) noexcept {
  scalar s;
  crypto_core_ristretto255_scalar_reduce(s.b_.data(), wide.data());
  return s;
}

scalar scalar::random(random_source& rng) {
  byte_array<64> wide{};
  rng.fill(wide);
  scalar s = reduce(wide);
  sodium_memzero(wide.data(), wide.size());
  return s;
}

scalar scalar::random_non_zero(random_source& rng) {
  for (;;) {
    scalar s = random(rng);
    if (!s.is_zero()) return s;
  }
}

bool scalar::is_zero() const noexcept { return sodium_is_zero(b_.data(), b_.size()) == 1; }

result<scalar> scalar::invert() const {
  scalar r;
  if (crypto_core_ristretto255_scalar_invert(r.b_.data(), b_.data()) != 0) {
    return fail(error::invalid_scalar);
  }
  return r;
}

scalar operator+(const scalar& a, const scalar& b) noexcept {
  scalar r;
  crypto_core_ristretto255_scalar_add(r.b_.data(), a.b_.data(), b.b_.data());
  return r;
}

scalar operator-(const scalar& a, const scalar& b) noexcept {
  scalar r;
  crypto_core_ristretto255_scalar_sub(r.b_.data(), a.b_.data(), b.b_.data());
  return r;
}

scalar operator*(const scalar& a, const scalar& b) noexcept {
  scalar r;
  crypto_core_ristretto255_scalar_mul(r.b_.data(), a.b_.data(), b.b_.data());
  return r;
}

scalar operator-(const scalar& a) noexcept {
  scalar r;
  crypto_core_ristretto255_scalar_negate(r.b_.data(), a.b_.data());
  return r;
}

bool operator==(const scalar& a, const scalar& b) noexcept {
  return sodium_memcmp(a.b_.data(), b.b_.data(), scalar::size) == 0;
}

}  // namespace pingyi::crypto
