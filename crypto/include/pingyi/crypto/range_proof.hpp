// Exponential ElGamal ciphertexts and the Chaum–Pedersen disjunctive range proof that one
// encrypts some m ∈ {lo, …, hi} (DESIGN.md §3.3). The 0/1 proof of a selection is lo=0, hi=1;
// a contest's limit proof is {min … max} on the sum of its selections.
#pragma once

#include <cstdint>
#include <vector>

#include "pingyi/crypto/bytes.hpp"
#include "pingyi/crypto/point.hpp"
#include "pingyi/crypto/random.hpp"
#include "pingyi/crypto/result.hpp"
#include "pingyi/crypto/scalar.hpp"

namespace pingyi::crypto {

struct ciphertext {
  point alpha;  // r·G
  point beta;   // v·G + r·X
  friend bool operator==(const ciphertext&, const ciphertext&) = default;
};

// (α, β) = (r·G, v·G + r·X).
[[nodiscard]] ciphertext encrypt(std::uint32_t v, const scalar& r, const point& election_key);
// Component-wise sum (Σα, Σβ): the homomorphic tally.
[[nodiscard]] ciphertext operator+(const ciphertext& a, const ciphertext& b);

// The most values a range may hold (hi − lo + 1). A proof costs about four scalar
// multiplications per value, so this bounds the work any statement can demand; a contest whose
// max − min + 1 exceeds it cannot be proved or verified, and a round defining one must be refused.
inline constexpr std::uint32_t max_range_values = 1001;

// c[k] and s[k] belong to j = lo + k.
struct range_proof {
  std::vector<scalar> c;
  std::vector<scalar> s;
  friend bool operator==(const range_proof&, const range_proof&) = default;
};

// Proves that `ct` = encrypt(v, r, X) holds some m ∈ [lo, hi], with
// c = HashToScalar(lp(ctx) ‖ lp(X) ‖ lp(α) ‖ lp(β) ‖ lp(a_lo) ‖ lp(b_lo) ‖ … ‖ lp(a_hi) ‖ lp(b_hi),
// "pingyi-v1-range"). Randomness is drawn in this order: w, then for each j = lo … hi except v,
// c_j and then s_j (each a 64-byte draw reduced mod ℓ). Refuses (out_of_range) when lo > hi or
// v ∉ [lo, hi]: an honest prover cannot prove a false statement; also (out_of_range) when the
// range holds more than max_range_values values or ctx is 65,536 bytes or longer (lp cannot
// encode it). `ct` must be encrypt(v, r, election_key). Nothing is drawn when it refuses.
[[nodiscard]] result<range_proof> prove_range(byte_view ctx, const point& election_key, const ciphertext& ct,
                                              std::uint32_t v, const scalar& r, std::uint32_t lo, std::uint32_t hi,
                                              random_source& rng);

// Recomputes every a_j = s_j·G − c_j·α and b_j = s_j·X − c_j·(β − j·G) and checks Σc_j = c.
// Fails with invalid_proof (also when the lists do not have hi − lo + 1 entries), or with
// out_of_range, before any group operation, when the statement is one prove_range refuses
// (lo > hi, more than max_range_values values, ctx too long).
[[nodiscard]] status verify_range(byte_view ctx, const point& election_key, const ciphertext& ct, std::uint32_t lo,
                                  std::uint32_t hi, const range_proof& proof);

}  // namespace pingyi::crypto
