// Trustees and the election key (DESIGN.md §3.5): a scrutineer's secret derived from a paper
// recovery code, its public key with a proof of possession, and the sealed key X = Σ X_t.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "pingyi/crypto/point.hpp"
#include "pingyi/crypto/proof.hpp"
#include "pingyi/crypto/random.hpp"
#include "pingyi/crypto/result.hpp"
#include "pingyi/crypto/scalar.hpp"
#include "pingyi/crypto/session_id.hpp"

namespace pingyi::crypto {

inline constexpr std::size_t recovery_code_length = 20;

// 20 Crockford base32 characters, upper case, from one draw of 20 random bytes (each byte mod
// 32: uniform).
[[nodiscard]] std::string generate_recovery_code(random_source& rng);
// What the scrutineer typed, made canonical (see normalize_crockford); fails unless 20 characters.
[[nodiscard]] result<std::string> normalize_recovery_code(std::string_view entry);
// "XXXX-XXXX-XXXX-XXXX-XXXX".
[[nodiscard]] std::string format_recovery_code(std::string_view code);

struct trustee_key {
  scalar x;  // secret share
  point key; // X_t = x·G
};

// x = HashToScalar(lp(session_id) ‖ lp(code), "pingyi-v1-trustee-key"), code canonical (no
// dashes). Fails (invalid_encoding, "code") unless the code is exactly 20 characters of the
// alphabet — a code as typed must go through normalize_recovery_code first, or it would give
// another key without any error — and (invalid_scalar) in the negligible case x = 0.
[[nodiscard]] result<trustee_key> trustee_key_from_code(const session_id& sid, std::string_view code);
// A random key (the server's own share).
[[nodiscard]] trustee_key generate_trustee_key(random_source& rng);

// Proof of possession: w, h = w·G, c = HashToScalar(lp(session_id) ‖ lp(trustee_id) ‖ lp(X_t) ‖
// lp(h), "pingyi-v1-trustee"), s = w + c·x. Draws only w (non-zero).
[[nodiscard]] proof prove_trustee_key(const session_id& sid, std::string_view trustee_id, const trustee_key& key,
                                      random_source& rng);
// Recomputes h = s·G − c·X_t and the challenge. Fails with invalid_proof ("proof"); invalid_point
// ("key") when X_t is the identity; out_of_range ("id") when the id is 65,536 bytes or longer
// (lp cannot encode it; a proof made for such an id never verifies).
[[nodiscard]] status verify_trustee_key(const session_id& sid, std::string_view trustee_id, const point& key,
                                        const proof& pop);

// X = Σ X_t.
[[nodiscard]] point election_key(std::span<const point> trustee_keys);

}  // namespace pingyi::crypto
