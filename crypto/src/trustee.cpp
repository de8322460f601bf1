// Trustees and the election key (DESIGN.md §3.5; see trustee.hpp): a scrutineer's share is
// derived from a paper recovery code, so re-entering the code on any device restores it.
#include "pingyi/crypto/trustee.hpp"

#include <sodium.h>

#include "pingyi/crypto/crockford.hpp"
#include "pingyi/crypto/hash.hpp"

namespace pingyi::crypto {

namespace {

constexpr char alphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

// lp() carries a two-byte length; a longer id could not be encoded unambiguously.
constexpr std::size_t max_lp_field = 0xFFFF;

bool is_canonical_code(std::string_view code) noexcept {
  if (code.size() != recovery_code_length) return false;
  for (const char c : code) {
    bool found = false;
    for (std::size_t i = 0; i < 32; ++i) found |= alphabet[i] == c;
    if (!found) return false;
  }
  return true;
}

// c = HashToScalar(lp(session_id) ‖ lp(trustee_id) ‖ lp(X_t) ‖ lp(h), "pingyi-v1-trustee"):
// binding the id and the session stops a proof being replayed under another trustee's id or
// in another session, so no one can claim a key they did not derive.
scalar possession_challenge(const session_id& sid, std::string_view trustee_id, const point& key, const point& h) {
  transcript t;
  t.reserve(std::size_t{4} * 2 + sid.size() + trustee_id.size() + 2 * point::size);
  t.lp(sid).lp(trustee_id).lp(key.bytes()).lp(h.bytes());
  return challenge("trustee", t.view());
}

}  // namespace

// 20 bytes, each reduced to 5 bits: 32 divides 256, so every character is uniform and the code
// holds exactly 100 bits. One draw of 20 bytes (the browser client reproduces it).
std::string generate_recovery_code(random_source& rng) {
  byte_array<recovery_code_length> raw{};
  rng.fill(raw);
  std::string code(recovery_code_length, '0');
  for (std::size_t i = 0; i < recovery_code_length; ++i) code[i] = alphabet[raw[i] & 31u];
  sodium_memzero(raw.data(), raw.size());
  return code;
}

result<std::string> normalize_recovery_code(std::string_view entry) {
  return normalize_crockford(entry, recovery_code_length);
}

std::string format_recovery_code(std::string_view code) { return group_by_four(code); }

// §3.5: x = HashToScalar(lp(session_id) ‖ lp(code), "pingyi-v1-trustee-key"). The session id
// makes one paper code give unrelated keys in different sessions.
result<trustee_key> trustee_key_from_code(const session_id& sid, std::string_view code) {
  // A code as typed ("abcd-…") would silently give another key: only the canonical form is hashed.
  if (!is_canonical_code(code)) return fail(error::invalid_encoding, "code");
  transcript t;
  t.reserve(std::size_t{2} * 2 + sid.size() + code.size());
  t.lp(sid).lp(code);
  bytes msg = std::move(t).take();
  trustee_key k{challenge("trustee-key", msg), point{}};
  sodium_memzero(msg.data(), msg.size());  // it holds the code
  if (k.x.is_zero()) return fail(error::invalid_scalar, "code");
  k.key = point::mul_base(k.x);
  return k;
}

trustee_key generate_trustee_key(random_source& rng) {
  trustee_key k{scalar::random_non_zero(rng), point{}};
  k.key = point::mul_base(k.x);
  return k;
}

// Schnorr proof of knowledge of x with X_t = x·G. Without it a trustee could publish
// X_t = Y − Σ(others' keys) for a Y it knows the log of, and decrypt alone.
proof prove_trustee_key(const session_id& sid, std::string_view trustee_id, const trustee_key& key,
                        random_source& rng) {
  const scalar w = scalar::random_non_zero(rng);
  const point h = point::mul_base(w);
  const scalar c = possession_challenge(sid, trustee_id, key.key, h);
  return proof{c, w + c * key.x};
}

status verify_trustee_key(const session_id& sid, std::string_view trustee_id, const point& key, const proof& pop) {
  if (key.is_identity()) return fail(error::invalid_point, "key");
  if (trustee_id.size() > max_lp_field) return fail(error::out_of_range, "id");
  const point h = point::mul_base(pop.s) - pop.c * key;
  if (!(possession_challenge(sid, trustee_id, key, h) == pop.c)) return fail(error::invalid_proof, "proof");
  return {};
}

point election_key(std::span<const point> trustee_keys) {
  point sum;
  for (const point& k : trustee_keys) sum += k;
  return sum;
}

}  // namespace pingyi::crypto
