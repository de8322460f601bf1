// Joint decryption of round totals (DESIGN.md §3.4; see decryption.hpp): each trustee's share
// D_t = x_t·A with a Chaum–Pedersen proof that log_G(X_t) = log_A(D_t), bound to the hash of
// the round's round_closed line, and the combination M = B − Σ D_t.
#include "pingyi/crypto/decryption.hpp"

#include "pingyi/crypto/hash.hpp"

namespace pingyi::crypto {

namespace {

// lp() carries a two-byte length; a longer id could not be encoded unambiguously.
constexpr std::size_t max_lp_field = 0xFFFF;

// c = HashToScalar(lp(session_id) ‖ lp(closed_hash) ‖ lp(I2OSP(round,4)) ‖ lp(contest_id) ‖
// lp(I2OSP(option,2)) ‖ lp(trustee_id) ‖ lp(X_t) ‖ lp(A) ‖ lp(D_t) ‖ lp(a) ‖ lp(b),
// "pingyi-v1-decrypt"). Every field is length-prefixed, the fixed-width integers included, as
// §3.4 writes them.
scalar share_challenge(const share_context& ctx, const point& trustee_key, const point& sum_alpha, const point& d,
                       const point& a, const point& b) {
  transcript t;
  t.reserve(11 * 2 + 2 * 32 + 4 + 2 + ctx.contest_id.size() + ctx.trustee_id.size() + 5 * point::size);
  t.lp(ctx.sid).lp(ctx.closed_hash).lp(i2osp(ctx.round, 4)).lp(ctx.contest_id).lp(i2osp(ctx.option, 2)).lp(ctx.trustee_id);
  for (const point* p : {&trustee_key, &sum_alpha, &d, &a, &b}) t.lp(p->bytes());
  return challenge("decrypt", t.view());
}

}  // namespace

// A may be the identity (ballots whose α cancel): then D_t and b are the identity too, and the
// proof still verifies, because every point operation below handles the identity explicitly.
decryption_share make_share(const share_context& ctx, const trustee_key& key, const point& sum_alpha,
                            random_source& rng) {
  const point d = key.x * sum_alpha;
  const scalar w = scalar::random_non_zero(rng);
  const point a = point::mul_base(w);
  const point b = w * sum_alpha;
  const scalar c = share_challenge(ctx, key.key, sum_alpha, d, a, b);
  return decryption_share{d, proof{c, w + c * key.x}};
}

status verify_share(const share_context& ctx, const point& trustee_key, const point& sum_alpha,
                    const decryption_share& share) {
  // §3: public keys are never the identity (verify_trustee_key refuses one at registration).
  if (trustee_key.is_identity()) return fail(error::invalid_point, "key");
  if (ctx.contest_id.size() > max_lp_field) return fail(error::out_of_range, "contest_id");
  if (ctx.trustee_id.size() > max_lp_field) return fail(error::out_of_range, "trustee_id");
  const proof& p = share.dleq;
  const point a = point::mul_base(p.s) - p.c * trustee_key;
  const point b = p.s * sum_alpha - p.c * share.share;
  if (!(share_challenge(ctx, trustee_key, sum_alpha, share.share, a, b) == p.c)) {
    return fail(error::invalid_proof, "proof");
  }
  return {};
}

point combine_shares(const point& sum_beta, std::span<const point> shares) {
  point m = sum_beta;
  for (const point& d : shares) m -= d;
  return m;
}

}  // namespace pingyi::crypto
