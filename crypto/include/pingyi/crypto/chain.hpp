// Chain hashing, signed heads, receipts and their short codes (DESIGN.md §3.6). A record's hash
// is SHA-256 of its exact line bytes (without the newline); the line is never re-serialised.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "pingyi/crypto/bytes.hpp"
#include "pingyi/crypto/ed25519.hpp"
#include "pingyi/crypto/result.hpp"
#include "pingyi/crypto/session_id.hpp"

namespace pingyi::crypto {

using chain_hash = byte_array<32>;

// The "prev" of record 0: 32 zero bytes (64 zeros in hex).
inline constexpr chain_hash genesis_prev{};

[[nodiscard]] chain_hash line_hash(std::string_view line) noexcept;

// "pingyi-v1-head" ‖ session_id ‖ I2OSP(seq, 8) ‖ hash
[[nodiscard]] bytes head_message(const session_id& sid, std::uint64_t seq, const chain_hash& hash);
[[nodiscard]] signature sign_head(const signing_key& server_key, const session_id& sid, std::uint64_t seq,
                                  const chain_hash& hash);
[[nodiscard]] status verify_head(const verify_key& server_key, const session_id& sid, std::uint64_t seq,
                                 const chain_hash& hash, const signature& sig);

// A signed head, and also a ballot's receipt: the seq and hash of its record, signed.
struct signed_head {
  std::uint64_t seq = 0;
  chain_hash hash{};
  signature sig;
  friend bool operator==(const signed_head&, const signed_head&) = default;
};

// A receipt's short code: the first 5 bytes of its hash in Crockford base32, "XXXX-XXXX".
[[nodiscard]] std::string receipt_code(const chain_hash& hash);
// round_closed's comparison code: the first 10 bytes (80 bits), "XXXX-XXXX-XXXX-XXXX".
[[nodiscard]] std::string comparison_code(const chain_hash& hash);

}  // namespace pingyi::crypto
