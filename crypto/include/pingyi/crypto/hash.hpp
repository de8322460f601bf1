// Hashing (DESIGN.md §3.1): SHA-256 and SHA-512, expand_message_xmd with SHA-512 exactly as
// RFC 9380 §5.3.1, HashToGroup and HashToScalar, and pingyi's own Fiat–Shamir challenges.
#pragma once

#include <string_view>

#include "pingyi/crypto/bytes.hpp"
#include "pingyi/crypto/point.hpp"
#include "pingyi/crypto/result.hpp"
#include "pingyi/crypto/scalar.hpp"

namespace pingyi::crypto {

[[nodiscard]] byte_array<32> sha256(byte_view msg) noexcept;
[[nodiscard]] byte_array<64> sha512(byte_view msg) noexcept;
// HMAC-SHA-256 (RFC 2104) with a key of any length: the server hashes credentials with a key
// from its secrets file, so that a copy of the database alone does not allow guessing printed
// codes offline.
[[nodiscard]] byte_array<32> hmac_sha256(byte_view key, byte_view msg) noexcept;

// RFC 9380 §5.3.1 with H = SHA-512 (b_in_bytes 64, s_in_bytes 128). Fails when len_in_bytes is
// 0 or above 255·64; a DST longer than 255 bytes is first hashed as §5.3.3 says.
[[nodiscard]] result<bytes> expand_message_xmd_sha512(byte_view msg, byte_view dst,
                                                      std::size_t len_in_bytes);

// from_hash(expand_message_xmd(msg, dst, 64)).
[[nodiscard]] point hash_to_group(byte_view msg, byte_view dst);
// scalar_reduce(expand_message_xmd(msg, dst, 64)).
[[nodiscard]] scalar hash_to_scalar(byte_view msg, byte_view dst);

// pingyi's own challenges: HashToScalar(transcript, "pingyi-v1-" ‖ name) (DESIGN.md §3.1).
[[nodiscard]] scalar challenge(std::string_view name, byte_view transcript);

}  // namespace pingyi::crypto
