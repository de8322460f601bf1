// Joint decryption of round totals (DESIGN.md §3.4): an honest share verifies, a share moved to
// any other context or with any point or proof value changed does not, and the server plus two
// scrutineers together recover the counts of an encrypted sum, identity sums included.
#include "pingyi/crypto/decryption.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "pingyi/crypto/hash.hpp"
#include "pingyi/crypto/init.hpp"
#include "pingyi/crypto/tally.hpp"

namespace pingyi::crypto {
namespace {

point times_g(std::uint64_t j) { return point::mul_base(scalar::from_u64(j)); }

// (α, β) = (r·G, v·G + r·X), built directly from the definition of §3.3.
struct encrypted {
  point alpha;
  point beta;
};
encrypted encrypt_directly(std::uint64_t v, const scalar& r, const point& x) {
  return {point::mul_base(r), times_g(v) + r * x};
}

class DecryptionTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { ASSERT_TRUE(init()); }

  share_context context(std::string_view trustee_id) const {
    return share_context{sid_, closed_hash_, 3, contest_id_, 1, trustee_id};
  }

  deterministic_random rng_{sha256(as_bytes("pingyi decryption tests"))};
  session_id sid_ = sha256(as_bytes("a genesis line"));
  chain_hash closed_hash_ = sha256(as_bytes("a round_closed line"));
  std::string contest_id_ = "财政局";  // a contest (target) id, UTF-8 inside the hash
  trustee_key server_ = generate_trustee_key(rng_);
  trustee_key m01_ = trustee_key_from_code(sid_, "0123456789ABCDEFGHJK").value();
  trustee_key m02_ = trustee_key_from_code(sid_, "ZYXWVTSRQPNMKJHGFEDC").value();
  point election_key_ = server_.key + m01_.key + m02_.key;
  point sum_alpha_ = point::mul_base(scalar::random_non_zero(rng_));
};

TEST_F(DecryptionTest, HonestShareVerifies) {
  const decryption_share share = make_share(context("m01"), m01_, sum_alpha_, rng_);
  EXPECT_EQ(share.share, m01_.x * sum_alpha_);
  EXPECT_TRUE(verify_share(context("m01"), m01_.key, sum_alpha_, share).ok());
}

TEST_F(DecryptionTest, ChallengeHasTheLayoutOfDesign) {
  // c = HashToScalar(lp(session_id) ‖ lp(closed_hash) ‖ lp(I2OSP(round,4)) ‖ lp(contest_id) ‖
  // lp(I2OSP(option,2)) ‖ lp(trustee_id) ‖ lp(X_t) ‖ lp(A) ‖ lp(D_t) ‖ lp(a) ‖ lp(b),
  // "pingyi-v1-decrypt"), written out from the primitives with a and b recomputed from (c, s).
  const decryption_share sh = make_share(context("m01"), m01_, sum_alpha_, rng_);
  const point a = point::mul_base(sh.dleq.s) - sh.dleq.c * m01_.key;
  const point b = sh.dleq.s * sum_alpha_ - sh.dleq.c * sh.share;
  transcript t;
  t.u16(32).raw(sid_).u16(32).raw(closed_hash_);
  t.u16(4).u32(3);
  t.u16(9).raw("财政局");
  t.u16(2).u16(1);
  t.u16(3).raw("m01");
  for (const point& p : {m01_.key, sum_alpha_, sh.share, a, b}) t.u16(32).raw(p.bytes());
  EXPECT_EQ(sh.dleq.c, hash_to_scalar(t.view(), as_bytes("pingyi-v1-decrypt")));
}

TEST_F(DecryptionTest, AnyChangeToContextPointsOrProofFails) {
  const decryption_share honest = make_share(context("m01"), m01_, sum_alpha_, rng_);

  // Each case changes exactly one thing; every string a context refers to lives here.
  const std::string other_contest = "财政局 ";
  const std::string m02 = "m02";
  const std::string server = "server";
  struct input {
    share_context ctx;
    point key;
    point alpha;
    decryption_share share;
  };
  const struct {
    const char* name;
    std::function<void(input&)> change;
  } cases[] = {
      {"another session", [](input& in) { in.ctx.sid[5] ^= 1; }},
      {"another round_closed hash (a fork)", [](input& in) { in.ctx.closed_hash[31] ^= 1; }},
      {"another round", [](input& in) { in.ctx.round = 4; }},
      {"another contest id", [&](input& in) { in.ctx.contest_id = other_contest; }},
      {"another option", [](input& in) { in.ctx.option = 2; }},
      {"the limit option", [](input& in) { in.ctx.option = 0xFFFF; }},
      {"another trustee id", [&](input& in) { in.ctx.trustee_id = m02; }},
      {"the server's id", [&](input& in) { in.ctx.trustee_id = server; }},
      {"another trustee key", [&](input& in) { in.key = m02_.key; }},
      {"the election key", [&](input& in) { in.key = election_key_; }},
      {"another sum A", [](input& in) { in.alpha += point::generator(); }},
      {"the identity as A", [](input& in) { in.alpha = point::identity(); }},
      {"another share D", [](input& in) { in.share.share += point::generator(); }},
      {"the identity as D", [](input& in) { in.share.share = point::identity(); }},
      {"changed c", [](input& in) { in.share.dleq.c += scalar::one(); }},
      {"changed s", [](input& in) { in.share.dleq.s += scalar::one(); }},
      {"zero proof", [](input& in) { in.share.dleq = proof{}; }},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    input in{context("m01"), m01_.key, sum_alpha_, honest};
    ASSERT_TRUE(verify_share(in.ctx, in.key, in.alpha, in.share).ok());
    c.change(in);
    const status s = verify_share(in.ctx, in.key, in.alpha, in.share);
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.error().code, error::invalid_proof);
  }
}

TEST_F(DecryptionTest, ShareComputedWithAnotherSecretFails) {
  // A trustee that computes D with some other x' (to skew the count) cannot prove it against
  // its published X_t.
  const trustee_key lying{m02_.x, m01_.key};
  const decryption_share share = make_share(context("m01"), lying, sum_alpha_, rng_);
  EXPECT_NE(share.share, m01_.x * sum_alpha_);
  EXPECT_FALSE(verify_share(context("m01"), m01_.key, sum_alpha_, share).ok());
}

TEST_F(DecryptionTest, IdentityTrusteeKeyIsRefused) {
  const trustee_key zero{scalar::zero(), point::identity()};
  const decryption_share share = make_share(context("m01"), zero, sum_alpha_, rng_);
  const status s = verify_share(context("m01"), point::identity(), sum_alpha_, share);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, error::invalid_point);
}

TEST_F(DecryptionTest, IdsTooLongToLengthPrefixAreRefused) {
  const std::string huge(0x10000, 'x');
  share_context ctx = context("m01");
  ctx.contest_id = huge;
  status s = verify_share(ctx, m01_.key, sum_alpha_, make_share(ctx, m01_, sum_alpha_, rng_));
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, error::out_of_range);
  EXPECT_EQ(s.error().field, "contest_id");
  ctx = context(huge);
  s = verify_share(ctx, m01_.key, sum_alpha_, make_share(ctx, m01_, sum_alpha_, rng_));
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, error::out_of_range);
  EXPECT_EQ(s.error().field, "trustee_id");
}

TEST_F(DecryptionTest, IdentitySumGivesIdentityShareThatVerifies) {
  const decryption_share share = make_share(context("m01"), m01_, point::identity(), rng_);
  EXPECT_TRUE(share.share.is_identity());
  EXPECT_TRUE(verify_share(context("m01"), m01_.key, point::identity(), share).ok());
  // … and is still bound to its context.
  EXPECT_FALSE(verify_share(context("m02"), m01_.key, point::identity(), share).ok());
}

TEST_F(DecryptionTest, ServerAndTwoScrutineersRecoverTheCounts) {
  // Nine ballots on one evaluation target with three grades; each selects exactly one grade.
  const std::vector<int> grades = {0, 0, 1, 0, 2, 1, 0, 0, 2};
  const std::vector<std::uint32_t> expected = {5, 2, 2};
  std::vector<point> a(3), b(3);
  for (const int g : grades) {
    for (int i = 0; i < 3; ++i) {
      const encrypted ct = encrypt_directly(i == g ? 1 : 0, scalar::random_non_zero(rng_), election_key_);
      a[i] += ct.alpha;
      b[i] += ct.beta;
    }
  }
  const count_table table(static_cast<std::uint32_t>(grades.size()));
  const struct {
    std::string id;
    const trustee_key& key;
  } trustees[] = {{"server", server_}, {"m01", m01_}, {"m02", m02_}};
  for (std::uint16_t option = 0; option < 3; ++option) {
    SCOPED_TRACE(option);
    std::vector<point> shares;
    for (const auto& t : trustees) {
      const share_context ctx{sid_, closed_hash_, 3, contest_id_, option, t.id};
      const decryption_share share = make_share(ctx, t.key, a[option], rng_);
      ASSERT_TRUE(verify_share(ctx, t.key.key, a[option], share).ok());
      shares.push_back(share.share);
    }
    const auto count = table.find(combine_shares(b[option], shares));
    ASSERT_TRUE(count.ok());
    EXPECT_EQ(*count, expected[option]);
    // Without one scrutineer's share the total stays hidden (n of n).
    shares.pop_back();
    EXPECT_FALSE(table.find(combine_shares(b[option], shares)).ok());
  }
}

TEST_F(DecryptionTest, SumWhoseAlphasCancelStillDecrypts) {
  // Two ballots with randomness r and −r: A = Σα is the identity, every D_t is the identity, and
  // M = B = (v1 + v2)·G.
  const scalar r = scalar::random_non_zero(rng_);
  const encrypted one = encrypt_directly(1, r, election_key_);
  const encrypted two = encrypt_directly(1, -r, election_key_);
  const point a = one.alpha + two.alpha;
  const point b = one.beta + two.beta;
  ASSERT_TRUE(a.is_identity());
  std::vector<point> shares;
  for (const auto* t : {&server_, &m01_, &m02_}) {
    const decryption_share share = make_share(context("t"), *t, a, rng_);
    EXPECT_TRUE(share.share.is_identity());
    EXPECT_TRUE(verify_share(context("t"), t->key, a, share).ok());
    shares.push_back(share.share);
  }
  EXPECT_EQ(count_table(2).find(combine_shares(b, shares)).value(), 2u);
}

TEST_F(DecryptionTest, OptionNobodyChoseDecryptsToZero) {
  // Σβ = r·X and Σ D_t = r·X: M is the identity, count 0.
  const scalar r = scalar::random_non_zero(rng_);
  const encrypted ct = encrypt_directly(0, r, election_key_);
  std::vector<point> shares;
  for (const auto* t : {&server_, &m01_, &m02_}) shares.push_back(make_share(context("t"), *t, ct.alpha, rng_).share);
  const point m = combine_shares(ct.beta, shares);
  EXPECT_TRUE(m.is_identity());
  EXPECT_EQ(count_table(1).find(m).value(), 0u);
}

TEST_F(DecryptionTest, CombineWithNoSharesOrIdentitiesIsTheSumItself) {
  // A round with zero ballots has no sums and no shares; the combination of nothing is B.
  EXPECT_TRUE(combine_shares(point::identity(), {}).is_identity());
  EXPECT_EQ(count_table(0).find(combine_shares(point::identity(), {})).value(), 0u);
  const std::vector<point> identities(3);
  EXPECT_EQ(combine_shares(times_g(4), identities), times_g(4));
  const std::vector<point> two = {times_g(1), times_g(2)};
  EXPECT_EQ(combine_shares(times_g(10), two), times_g(7));
}

}  // namespace
}  // namespace pingyi::crypto
