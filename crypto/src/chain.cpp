// Chain hashing, signed heads and the short codes of receipts and round_closed (DESIGN.md §3.6,
// §3.4; see chain.hpp).
#include "pingyi/crypto/chain.hpp"

#include "pingyi/crypto/crockford.hpp"
#include "pingyi/crypto/hash.hpp"

namespace pingyi::crypto {

// §3.6: the hash is over the exact bytes the server wrote, so that any party holding the line
// recomputes it without re-serialising JSON. The caller passes the line without its newline.
chain_hash line_hash(std::string_view line) noexcept { return sha256(as_bytes(line)); }

bytes head_message(const session_id& sid, std::uint64_t seq, const chain_hash& hash) {
  transcript t;
  t.raw("pingyi-v1-head").raw(sid).u64(seq).raw(hash);
  return std::move(t).take();
}

signature sign_head(const signing_key& server_key, const session_id& sid, std::uint64_t seq, const chain_hash& hash) {
  return server_key.sign(head_message(sid, seq, hash));
}

status verify_head(const verify_key& server_key, const session_id& sid, std::uint64_t seq, const chain_hash& hash,
                   const signature& sig) {
  return verify(server_key, head_message(sid, seq, hash), sig);
}

// 5 bytes are 40 bits, exactly 8 characters: a receipt is looked up, never relied on to resist
// grinding (the full hash is the receipt).
std::string receipt_code(const chain_hash& hash) { return group_by_four(crockford_encode(byte_view{hash}.first(5))); }

// §3.4: 80 bits, so that a server cannot grind a private fork's round_closed until its code
// matches the real one's.
std::string comparison_code(const chain_hash& hash) {
  return group_by_four(crockford_encode(byte_view{hash}.first(10)));
}

}  // namespace pingyi::crypto
