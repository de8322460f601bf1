// Ed25519 over libsodium's crypto_sign_* (see ed25519.hpp).
#include "pingyi/crypto/ed25519.hpp"

#include <sodium.h>

namespace pingyi::crypto {

result<verify_key> verify_key::decode(byte_view b) {
  if (b.size() != size) return fail(error::invalid_encoding);
  verify_key k;
  std::copy(b.begin(), b.end(), k.b_.begin());
  // Reject what can never verify: all zeros, and bytes that are not an Edwards point. Small
  // order and non-canonical keys are rejected by crypto_sign_verify_detached itself.
  if (sodium_is_zero(k.b_.data(), size) == 1 || crypto_core_ed25519_is_valid_point(k.b_.data()) != 1) {
    return fail(error::invalid_point);
  }
  return k;
}

result<verify_key> verify_key::from_hex(std::string_view hex) {
  auto raw = from_hex_fixed<32>(hex);
  if (!raw) return raw.error();
  return decode(*raw);
}

result<signature> signature::decode(byte_view b) {
  if (b.size() != size) return fail(error::invalid_encoding);
  byte_array<64> raw{};
  std::copy(b.begin(), b.end(), raw.begin());
  return signature{raw};
}

result<signature> signature::from_hex(std::string_view hex) {
  auto raw = from_hex_fixed<64>(hex);
  if (!raw) return raw.error();
  return signature{*raw};
}

signing_key signing_key::generate(random_source& rng) {
  byte_array<32> seed{};
  rng.fill(seed);
  signing_key k = from_seed(seed);
  sodium_memzero(seed.data(), seed.size());
  return k;
}

signing_key signing_key::from_seed(const byte_array<32>& seed) noexcept {
  signing_key k;
  byte_array<32> pk{};
  crypto_sign_seed_keypair(pk.data(), k.sk_.data(), seed.data());
  return k;
}

signing_key::~signing_key() { sodium_memzero(sk_.data(), sk_.size()); }

verify_key signing_key::public_key() const noexcept {
  verify_key k;
  crypto_sign_ed25519_sk_to_pk(k.b_.data(), sk_.data());
  return k;
}

byte_array<32> signing_key::seed() const noexcept {
  byte_array<32> s{};
  crypto_sign_ed25519_sk_to_seed(s.data(), sk_.data());
  return s;
}

signature signing_key::sign(byte_view msg) const noexcept {
  byte_array<64> sig{};
  crypto_sign_detached(sig.data(), nullptr, msg.data(), msg.size(), sk_.data());
  return signature{sig};
}

status verify(const verify_key& key, byte_view msg, const signature& sig) {
  if (crypto_sign_verify_detached(sig.bytes().data(), msg.data(), msg.size(), key.bytes().data()) != 0) {
    return fail(error::invalid_signature);
  }
  return {};
}

}  // namespace pingyi::crypto
