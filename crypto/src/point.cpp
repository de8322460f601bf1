// ristretto255 points over libsodium, with the identity handled explicitly (see point.hpp and
// DESIGN.md §3's list of libsodium pitfalls).
#include "pingyi/crypto/point.hpp"

#include <sodium.h>

#include <cstdlib>

namespace pingyi::crypto {

namespace {
// Both operands are valid points by construction, so a failure here is a defect of the
// library underneath, never of input: stop rather than return a wrong value.
[[noreturn]] void library_defect() noexcept { std::abort(); }

bool all_zero(const byte_array<32>& b) noexcept { return sodium_is_zero(b.data(), b.size()) == 1; }
}  // namespace

const point& point::generator() noexcept {
  static const point g = mul_base(scalar::one());
  return g;
}

result<point> point::decode(byte_view b) {
  if (b.size() != size) return fail(error::invalid_encoding);
  point p;
  std::copy(b.begin(), b.end(), p.b_.begin());
  // The identity is tested by its encoding, never through is_valid_point (whose answer for it
  // changed between libsodium versions).
  if (all_zero(p.b_)) return p;
  // RFC 9496 §4.3.1 decodes s < p only, so bit 255 of a canonical encoding is never set;
  // libsodium 1.0.18 ignores that bit (newer versions refuse it). Without this check G with bit
  // 255 set would decode as G, and 00…80 as an identity that is not 32 zero bytes: a trustee key
  // or ballot point that is the identity in disguise, and a repeated α that compares unequal.
  if ((p.b_[31] & 0x80) != 0) return fail(error::invalid_point);
  if (crypto_core_ristretto255_is_valid_point(p.b_.data()) != 1) return fail(error::invalid_point);
  return p;
}

result<point> point::from_hex(std::string_view hex) {
  auto raw = from_hex_fixed<32>(hex);
  if (!raw) return raw.error();
  return decode(*raw);
}

result<point> point::decode_non_identity(byte_view b) {
  auto p = decode(b);
  if (p && p->is_identity()) return fail(error::invalid_point);
  return p;
}

result<point> point::from_hex_non_identity(std::string_view hex) {
  auto raw = from_hex_fixed<32>(hex);
  if (!raw) return raw.error();
  return decode_non_identity(*raw);
}

point point::from_uniform(const byte_array<64>& uniform) noexcept {
  point p;
  if (crypto_core_ristretto255_from_hash(p.b_.data(), uniform.data()) != 0) library_defect();
  return p;
}

point point::mul_base(const scalar& s) noexcept {
  point p;
  if (s.is_zero()) return p;
  // −1 here means the result is the identity (impossible for s ≠ 0 mod ℓ, but handled).
  if (crypto_scalarmult_ristretto255_base(p.b_.data(), s.bytes().data()) != 0) return point{};
  return p;
}

bool point::is_identity() const noexcept { return all_zero(b_); }

point operator+(const point& a, const point& b) noexcept {
  if (a.is_identity()) return b;
  if (b.is_identity()) return a;
  point r;
  if (crypto_core_ristretto255_add(r.b_.data(), a.b_.data(), b.b_.data()) != 0) library_defect();
  return r;
}

point operator-(const point& a, const point& b) noexcept {
  if (b.is_identity()) return a;
  point r;
  if (crypto_core_ristretto255_sub(r.b_.data(), a.b_.data(), b.b_.data()) != 0) library_defect();
  return r;
}

point operator*(const scalar& s, const point& p) noexcept {
  point r;
  if (s.is_zero() || p.is_identity()) return r;
  // Both inputs are valid and non-trivial, so −1 can only mean an identity result.
  if (crypto_scalarmult_ristretto255(r.b_.data(), s.bytes().data(), p.b_.data()) != 0) return point{};
  return r;
}

}  // namespace pingyi::crypto
