// Joint decryption of round totals (DESIGN.md §3.4): each trustee's share D_t = x_t·A with a
// Chaum–Pedersen proof bound to the round_closed hash, and the combination M = B − Σ D_t.
// No individual ballot is ever decrypted.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "pingyi/crypto/chain.hpp"
#include "pingyi/crypto/point.hpp"
#include "pingyi/crypto/proof.hpp"
#include "pingyi/crypto/random.hpp"
#include "pingyi/crypto/result.hpp"
#include "pingyi/crypto/session_id.hpp"
#include "pingyi/crypto/trustee.hpp"

namespace pingyi::crypto {

// Everything a share's challenge is bound to, besides the points.
struct share_context {
  session_id sid;
  chain_hash closed_hash;  // raw hash of the round's round_closed line
  std::uint32_t round = 0;
  std::string_view contest_id;
  std::uint16_t option = 0;
  std::string_view trustee_id;
};

struct decryption_share {
  point share;  // D_t = x_t·A (may be the identity)
  proof dleq;
  friend bool operator==(const decryption_share&, const decryption_share&) = default;
};

// w random, a = w·G, b = w·A, c = HashToScalar(lp(session_id) ‖ lp(closed_hash) ‖
// lp(I2OSP(round,4)) ‖ lp(contest_id) ‖ lp(I2OSP(option,2)) ‖ lp(trustee_id) ‖ lp(X_t) ‖ lp(A) ‖
// lp(D_t) ‖ lp(a) ‖ lp(b), "pingyi-v1-decrypt"), s = w + c·x_t. Draws only w (non-zero).
[[nodiscard]] decryption_share make_share(const share_context& ctx, const trustee_key& key, const point& sum_alpha,
                                          random_source& rng);
// Checks a = s·G − c·X_t, b = s·A − c·D_t against the challenge. Fails with invalid_proof
// ("proof"); invalid_point ("key") when X_t is the identity; out_of_range ("contest_id",
// "trustee_id") when an id is 65,536 bytes or longer (lp cannot encode it; a share made for
// such an id never verifies). A and D_t may be the identity.
[[nodiscard]] status verify_share(const share_context& ctx, const point& trustee_key, const point& sum_alpha,
                                  const decryption_share& share);

// M = B − Σ_t D_t (= count·G when the shares are right).
[[nodiscard]] point combine_shares(const point& sum_beta, std::span<const point> shares);

}  // namespace pingyi::crypto
