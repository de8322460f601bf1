// SHA-2, expand_message_xmd (RFC 9380 §5.3.1) and hashing to ristretto255 (DESIGN.md §3.1).
#include "pingyi/crypto/hash.hpp"

#include <sodium.h>

#include <string>

namespace pingyi::crypto {

byte_array<32> sha256(byte_view msg) noexcept {
  byte_array<32> out{};
  crypto_hash_sha256(out.data(), msg.data(), msg.size());
  return out;
}

byte_array<32> hmac_sha256(byte_view key, byte_view msg) noexcept {
  byte_array<32> out{};
  crypto_auth_hmacsha256_state st;
  crypto_auth_hmacsha256_init(&st, key.data(), key.size());
  crypto_auth_hmacsha256_update(&st, msg.data(), msg.size());
  crypto_auth_hmacsha256_final(&st, out.data());
  sodium_memzero(&st, sizeof st);
  return out;
}

byte_array<64> sha512(byte_view msg) noexcept {
  byte_array<64> out{};
  crypto_hash_sha512(out.data(), msg.data(), msg.size());
  return out;
}

result<bytes> expand_message_xmd_sha512(byte_view msg, byte_view dst, std::size_t len_in_bytes) {
  constexpr std::size_t b_in_bytes = 64;   // SHA-512 output
  constexpr std::size_t s_in_bytes = 128;  // SHA-512 block
  const std::size_t ell = (len_in_bytes + b_in_bytes - 1) / b_in_bytes;
  if (len_in_bytes == 0 || ell > 255 || len_in_bytes > 65535) return fail(error::out_of_range);

  // §5.3.3: a DST over 255 bytes is replaced by H("H2C-OVERSIZE-DST-" ‖ DST).
  byte_array<64> long_dst{};
  if (dst.size() > 255) {
    long_dst = sha512(transcript{}.raw("H2C-OVERSIZE-DST-").raw(dst).view());
    dst = long_dst;
  }
  // DST_prime = DST ‖ I2OSP(len(DST), 1)
  transcript dst_prime;
  dst_prime.raw(dst).u8(static_cast<std::uint8_t>(dst.size()));

  // b_0 = H(Z_pad ‖ msg ‖ l_i_b_str ‖ I2OSP(0, 1) ‖ DST_prime)
  crypto_hash_sha512_state st;
  const byte_array<s_in_bytes> z_pad{};
  crypto_hash_sha512_init(&st);
  crypto_hash_sha512_update(&st, z_pad.data(), z_pad.size());
  crypto_hash_sha512_update(&st, msg.data(), msg.size());
  const byte tail0[3] = {static_cast<byte>(len_in_bytes >> 8), static_cast<byte>(len_in_bytes), 0};
  crypto_hash_sha512_update(&st, tail0, sizeof tail0);
  crypto_hash_sha512_update(&st, dst_prime.data().data(), dst_prime.data().size());
  byte_array<64> b0{};
  crypto_hash_sha512_final(&st, b0.data());

  // b_1 = H(b_0 ‖ I2OSP(1, 1) ‖ DST_prime); b_i = H(strxor(b_0, b_(i−1)) ‖ I2OSP(i, 1) ‖ DST_prime)
  bytes out;
  out.reserve(ell * b_in_bytes);
  byte_array<64> bi{};
  for (std::size_t i = 1; i <= ell; ++i) {
    byte_array<64> input{};
    for (std::size_t k = 0; k < b_in_bytes; ++k) input[k] = i == 1 ? b0[k] : static_cast<byte>(b0[k] ^ bi[k]);
    const byte counter = static_cast<byte>(i);
    crypto_hash_sha512_init(&st);
    crypto_hash_sha512_update(&st, input.data(), input.size());
    crypto_hash_sha512_update(&st, &counter, 1);
    crypto_hash_sha512_update(&st, dst_prime.data().data(), dst_prime.data().size());
    crypto_hash_sha512_final(&st, bi.data());
    out.insert(out.end(), bi.begin(), bi.end());
  }
  out.resize(len_in_bytes);
  return out;
}

namespace {
byte_array<64> expand_64(byte_view msg, byte_view dst) {
  auto wide = expand_message_xmd_sha512(msg, dst, 64);
  byte_array<64> out{};
  std::copy(wide->begin(), wide->end(), out.begin());  // 64 is always a valid length
  return out;
}
}  // namespace

point hash_to_group(byte_view msg, byte_view dst) { return point::from_uniform(expand_64(msg, dst)); }

scalar hash_to_scalar(byte_view msg, byte_view dst) { return scalar::reduce(expand_64(msg, dst)); }

scalar challenge(std::string_view name, byte_view transcript_bytes) {
  const std::string dst = "pingyi-v1-" + std::string(name);
  return hash_to_scalar(transcript_bytes, as_bytes(dst));
}

}  // namespace pingyi::crypto
