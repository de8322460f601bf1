// Ballots (DESIGN.md §3.3): every kind of round builds and verifies; choices that do not fit
// are refused; a ballot is bound to its vk, round, session, contest and option; each part that
// is changed is caught and named; and the homomorphic sums decrypt to the counts.
#include "pingyi/crypto/ballot.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "pingyi/crypto/hash.hpp"
#include "pingyi/crypto/init.hpp"

namespace pingyi::crypto {
namespace {

// name[i], built with append: GCC 12 misreports -Wrestrict on chains of string operator+.
std::string indexed(std::string name, std::size_t i) { return name.append("[").append(std::to_string(i)).append("]"); }

// choices of one contest with exactly option `chosen` selected
std::vector<std::uint8_t> one_of(std::uint16_t options, std::uint16_t chosen) {
  std::vector<std::uint8_t> c(options, 0);
  c[chosen] = 1;
  return c;
}

// `targets` evaluation contests on a scale of `grades` options, min = max = 1 (DESIGN.md §1).
std::vector<contest_spec> evaluation(std::size_t targets, std::uint16_t grades) {
  static const char* const units[] = {"财政局", "教育局", "卫生健康委员会"};
  std::vector<contest_spec> specs;
  for (std::size_t k = 0; k < targets; ++k) {
    specs.push_back(
        {k < 3 ? std::string(units[k]) : std::string("被评议单位-").append(std::to_string(k)), grades, 1, 1});
  }
  return specs;
}

// The same byte of a copy flipped (x ^= 1 on byte 0).
scalar flipped(const scalar& s) {
  byte_array<32> b = s.bytes();
  b[0] ^= 0x01;
  auto decoded = scalar::decode(b);
  if (!decoded) ADD_FAILURE() << "flipping the low byte left the scalar non-canonical";
  return decoded ? *decoded : scalar::one();
}

// The point whose encoding differs from p's in one byte, the first such that still decodes
// (most one-byte changes give no point at all, which decoding refuses before any check here).
point flipped(const point& p) {
  for (std::size_t i = 0; i < point::size; ++i) {
    for (int bit = 1; bit < 8; ++bit) {
      byte_array<32> b = p.bytes();
      b[i] ^= static_cast<byte>(1 << bit);
      if (auto q = point::decode_non_identity(b)) return *q;
    }
  }
  ADD_FAILURE() << "no one-byte change of the point decodes";
  return p;
}

byte_array<64> flip_first(byte_array<64> b) {
  b[0] ^= 0x01;
  return b;
}

verify_key flipped(const verify_key& k) {
  for (std::size_t i = 0; i < verify_key::size; ++i) {
    for (int bit = 1; bit < 8; ++bit) {
      byte_array<32> b = k.bytes();
      b[i] ^= static_cast<byte>(1 << bit);
      if (auto q = verify_key::decode(b)) return *q;
    }
  }
  ADD_FAILURE() << "no one-byte change of the key decodes";
  return k;
}

void expect_failure(const status& s, error code, const std::string& field) {
  ASSERT_FALSE(s.ok()) << "expected " << to_string(code) << " at " << field;
  EXPECT_EQ(to_string(s.error().code), std::string(to_string(code)));
  EXPECT_EQ(s.error().field, field);
}

class BallotTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { ASSERT_TRUE(init()); }

  result<ballot> build(std::span<const contest_spec> specs, const ballot_choices& choices) {
    return build_ballot(sid_, round_, ske_, token_, key_, specs, choices, rng_);
  }
  ballot must_build(std::span<const contest_spec> specs, const ballot_choices& choices) {
    auto b = build(specs, choices);
    if (!b) {
      ADD_FAILURE() << to_string(b.error().code) << " at " << b.error().field;
      return ballot{};
    }
    return std::move(b).value();
  }
  status check(std::span<const contest_spec> specs, const ballot& b) { return verify_ballot(sid_, key_, specs, b); }
  // Signs again, so that only what the signature does not cover can fail.
  static void resign(ballot& b, const signing_key& ske, const session_id& sid) {
    b.sig = ske.sign(ballot_digest(sid, b));
  }

  deterministic_random rng_{sha256(as_bytes("pingyi ballot tests"))};
  scalar x_ = scalar::random_non_zero(rng_);
  point key_ = point::mul_base(x_);
  session_id sid_ = sha256(as_bytes("the genesis line of the test session"));
  std::uint32_t round_ = 3;
  signing_key ske_ = signing_key::generate(rng_);
  point token_ = point::mul_base(scalar::random_non_zero(rng_));
};

TEST_F(BallotTest, OneContestEvaluationVerifiesForEveryGrade) {
  const auto specs = evaluation(1, 3);  // 满意 / 基本满意 / 不满意
  for (std::uint16_t grade = 0; grade < 3; ++grade) {
    const ballot b = must_build(specs, {one_of(3, grade)});
    EXPECT_TRUE(check(specs, b).ok()) << grade;
    EXPECT_EQ(b.round, round_);
    EXPECT_EQ(b.vk, ske_.public_key());
    EXPECT_EQ(b.token, token_);
    ASSERT_EQ(b.contests.size(), 1u);
    EXPECT_EQ(b.contests[0].id, "财政局");
    ASSERT_EQ(b.contests[0].selections.size(), 3u);
    for (const auto& sel : b.contests[0].selections) {
      EXPECT_EQ(sel.proof.c.size(), 2u);
      EXPECT_EQ(sel.proof.s.size(), 2u);
    }
    EXPECT_EQ(b.contests[0].limit_proof.c.size(), 1u);
    EXPECT_EQ(b.contests[0].limit_proof.s.size(), 1u);
  }
}

TEST_F(BallotTest, ThreeContestEvaluationVerifies) {
  const auto specs = evaluation(3, 3);
  const ballot b = must_build(specs, {one_of(3, 0), one_of(3, 2), one_of(3, 1)});
  EXPECT_TRUE(check(specs, b).ok());
}

TEST_F(BallotTest, HundredContestEvaluationVerifies) {
  // 千人评议: about 100 units on one sheet.
  const auto specs = evaluation(100, 3);
  ballot_choices choices;
  for (std::uint16_t k = 0; k < 100; ++k) choices.push_back(one_of(3, k % 3));
  const ballot b = must_build(specs, choices);
  ASSERT_EQ(b.contests.size(), 100u);
  EXPECT_TRUE(check(specs, b).ok());
}

TEST_F(BallotTest, FourGradeScaleVerifiesForEveryGrade) {
  const auto specs = evaluation(2, 4);  // 优秀 / 称职 / 基本称职 / 不称职
  for (std::uint16_t grade = 0; grade < 4; ++grade) {
    const ballot b = must_build(specs, {one_of(4, grade), one_of(4, 3 - grade)});
    EXPECT_TRUE(check(specs, b).ok()) << grade;
  }
}

TEST_F(BallotTest, MotionsVerifyForEveryChoice) {
  const std::vector<contest_spec> specs = {{"议案一", 3, 1, 1}, {"议案二", 3, 1, 1}};  // 赞成 / 反对 / 弃权
  for (std::uint16_t choice = 0; choice < 3; ++choice) {
    const ballot b = must_build(specs, {one_of(3, choice), one_of(3, (choice + 1) % 3)});
    EXPECT_TRUE(check(specs, b).ok()) << choice;
  }
}

TEST_F(BallotTest, SelectionOfZeroToTwoOfFourCandidatesVerifies) {
  const std::vector<contest_spec> specs = {{"明年述职人员", 4, 0, 2}};
  int built = 0;
  for (unsigned mask = 0; mask < 16; ++mask) {
    if (__builtin_popcount(mask) > 2) continue;
    std::vector<std::uint8_t> c(4);
    for (int i = 0; i < 4; ++i) c[i] = (mask >> i) & 1;
    const ballot b = must_build(specs, {c});
    EXPECT_EQ(b.contests[0].limit_proof.c.size(), 3u);
    EXPECT_TRUE(check(specs, b).ok()) << mask;
    ++built;
  }
  EXPECT_EQ(built, 1 + 4 + 6);  // none, one, or two chosen
}

TEST_F(BallotTest, ChoicesThatDoNotFitAreRefusedAndDrawNothing) {
  const std::vector<contest_spec> specs = {{"财政局", 3, 1, 1}, {"候选人", 4, 0, 2}};
  struct refusal {
    const char* what;
    ballot_choices choices;
    std::string field;
  };
  const refusal cases[] = {
      {"over-vote in an evaluation", {{1, 1, 0}, {0, 0, 0, 0}}, "contests[0]"},
      {"under-vote in an evaluation", {{0, 0, 0}, {0, 0, 0, 0}}, "contests[0]"},
      {"three of at most two", {{1, 0, 0}, {1, 1, 1, 0}}, "contests[1]"},
      {"all four of at most two", {{1, 0, 0}, {1, 1, 1, 1}}, "contests[1]"},
      {"value 2", {{0, 2, 0}, {0, 0, 0, 0}}, "contests[0].selections[1]"},
      {"value 2 standing for two votes", {{1, 0, 0}, {0, 0, 0, 2}}, "contests[1].selections[3]"},
      {"value 255", {{1, 0, 0}, {255, 0, 0, 0}}, "contests[1].selections[0]"},
      {"too few options", {{1, 0}, {0, 0, 0, 0}}, "contests[0].selections"},
      {"too many options", {{1, 0, 0}, {0, 0, 0, 0, 0}}, "contests[1].selections"},
      {"too few contests", {{1, 0, 0}}, "contests"},
      {"too many contests", {{1, 0, 0}, {0, 0, 0, 0}, {0, 0, 0, 0}}, "contests"},
      {"no contests", {}, "contests"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.what);
    const auto before = rng_.draws();
    const auto b = build(specs, c.choices);
    ASSERT_FALSE(b.ok());
    EXPECT_EQ(b.error().code, error::out_of_range);
    EXPECT_EQ(b.error().field, c.field);
    EXPECT_EQ(rng_.draws(), before);
  }
  EXPECT_TRUE(build(specs, {{0, 0, 1}, {0, 1, 0, 1}}).ok());  // and one that fits
}

TEST_F(BallotTest, SpecsNoBallotCanSatisfyAreRefused) {
  const std::vector<contest_spec> min_over_max = {{"财政局", 3, 2, 1}};
  const auto b = build(min_over_max, {{1, 0, 0}});
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.error().field, "contests[0]");

  const std::vector<contest_spec> honest = {{"财政局", 3, 1, 1}};
  const ballot cast = must_build(honest, {{1, 0, 0}});
  expect_failure(check(min_over_max, cast), error::out_of_range, "contests[0]");
}

TEST_F(BallotTest, ContestIdsUpToTheLimitWorkAndLongerAreRefused) {
  const std::vector<contest_spec> longest = {{std::string(max_contest_id_bytes, 'a'), 2, 1, 1}};
  const ballot b = must_build(longest, {{0, 1}});
  EXPECT_TRUE(check(longest, b).ok());

  const std::vector<contest_spec> too_long = {{std::string(max_contest_id_bytes + 1, 'a'), 2, 1, 1}};
  const auto refused = build(too_long, {{0, 1}});
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().field, "contests[0].id");
  ballot forged = b;
  forged.contests[0].id = too_long[0].id;
  expect_failure(check(too_long, forged), error::out_of_range, "contests[0].id");
}

TEST_F(BallotTest, IsBoundToItsVerifyKey) {
  // Another token holder re-signs someone's ciphertexts and proofs under their own vk: the
  // signature is then valid, and the proofs, whose context holds vk, are what refuse it.
  const auto specs = evaluation(2, 3);
  ballot b = must_build(specs, {one_of(3, 0), one_of(3, 1)});
  const signing_key thief = signing_key::generate(rng_);
  b.vk = thief.public_key();
  resign(b, thief, sid_);
  expect_failure(check(specs, b), error::invalid_proof, "contests[0].selections[0].proof");
}

TEST_F(BallotTest, IsBoundToItsRound) {
  const auto specs = evaluation(2, 3);
  ballot b = must_build(specs, {one_of(3, 0), one_of(3, 1)});
  b.round = round_ + 1;
  resign(b, ske_, sid_);
  expect_failure(check(specs, b), error::invalid_proof, "contests[0].selections[0].proof");
}

TEST_F(BallotTest, IsBoundToItsSession) {
  const auto specs = evaluation(2, 3);
  ballot b = must_build(specs, {one_of(3, 0), one_of(3, 1)});
  const session_id other = sha256(as_bytes("another session"));
  EXPECT_FALSE(verify_ballot(other, key_, specs, b).ok());
  resign(b, ske_, other);
  expect_failure(verify_ballot(other, key_, specs, b), error::invalid_proof, "contests[0].selections[0].proof");
}

TEST_F(BallotTest, IsBoundToItsElectionKey) {
  const auto specs = evaluation(1, 3);
  const ballot b = must_build(specs, {one_of(3, 2)});
  const point other = point::mul_base(scalar::random_non_zero(rng_));
  expect_failure(verify_ballot(sid_, other, specs, b), error::invalid_proof, "contests[0].selections[0].proof");
}

TEST_F(BallotTest, SelectionsMovedBetweenBallotsContestsOrOptionsFail) {
  // Each move is re-signed by the receiving ballot's key: the proofs' contexts alone catch it.
  const auto specs = evaluation(3, 3);
  const ballot a = must_build(specs, {one_of(3, 0), one_of(3, 1), one_of(3, 2)});
  const ballot other_voter = build_ballot(sid_, round_, signing_key::generate(rng_), token_, key_, specs,
                                          {one_of(3, 0), one_of(3, 1), one_of(3, 2)}, rng_)
                                 .value();
  struct move {
    const char* what;
    std::function<void(ballot&)> apply;
    std::string field;
  };
  const move moves[] = {
      {"a selection from another voter's ballot",
       [&](ballot& b) { b.contests[1].selections[2] = other_voter.contests[1].selections[2]; },
       "contests[1].selections[2].proof"},
      {"a whole contest from another voter's ballot", [&](ballot& b) { b.contests[1] = other_voter.contests[1]; },
       "contests[1].selections[0].proof"},
      {"a limit proof from another voter's ballot",
       [&](ballot& b) { b.contests[2].limit_proof = other_voter.contests[2].limit_proof; }, "contests[2].limit_proof"},
      {"a selection from another contest of the same ballot",
       [&](ballot& b) { b.contests[2].selections[1] = a.contests[0].selections[1]; },
       "contests[2].selections[1].proof"},
      {"two options of a contest swapped",
       [](ballot& b) { std::swap(b.contests[0].selections[0], b.contests[0].selections[1]); },
       "contests[0].selections[0].proof"},
      {"two contests' selections swapped",
       [](ballot& b) { std::swap(b.contests[0].selections, b.contests[1].selections); },
       "contests[0].selections[0].proof"},
  };
  ASSERT_TRUE(check(specs, a).ok());
  for (const auto& m : moves) {
    SCOPED_TRACE(m.what);
    ballot b = a;
    m.apply(b);
    ASSERT_NE(b, a);
    resign(b, ske_, sid_);
    expect_failure(check(specs, b), error::invalid_proof, m.field);
  }
}

TEST_F(BallotTest, RepeatedAlphaWithinAContestIsRejected) {
  const auto specs = evaluation(2, 4);
  const ballot honest = must_build(specs, {one_of(4, 1), one_of(4, 2)});
  {
    ballot b = honest;  // a whole selection repeated
    b.contests[1].selections[3] = b.contests[1].selections[0];
    resign(b, ske_, sid_);
    expect_failure(check(specs, b), error::invalid_point, "contests[1].selections[3].alpha");
  }
  {
    ballot b = honest;  // only α repeated; the later of the pair is named
    b.contests[0].selections[1].ct.alpha = b.contests[0].selections[2].ct.alpha;
    resign(b, ske_, sid_);
    expect_failure(check(specs, b), error::invalid_point, "contests[0].selections[2].alpha");
  }
  // Two pairs, paired both ways round: the first selection that repeats an earlier one is
  // named, whichever of the two α values is the smaller.
  for (const auto& [first, second] : {std::pair{3, 2}, std::pair{2, 3}}) {
    ballot b = honest;
    b.contests[0].selections[first].ct.alpha = b.contests[0].selections[0].ct.alpha;
    b.contests[0].selections[second].ct.alpha = b.contests[0].selections[1].ct.alpha;
    resign(b, ske_, sid_);
    expect_failure(check(specs, b), error::invalid_point, "contests[0].selections[2].alpha");
  }
}

TEST_F(BallotTest, IdentityAlphaOrBetaIsRejected) {
  // A zero r would put the vote in the clear, and the range proof still verifies then
  // (range_proof_test), so the ballot refuses the identity itself.
  const auto specs = evaluation(1, 3);
  const ballot honest = must_build(specs, {one_of(3, 0)});
  ballot b = honest;
  b.contests[0].selections[1].ct.alpha = point::identity();
  resign(b, ske_, sid_);
  expect_failure(check(specs, b), error::invalid_point, "contests[0].selections[1].alpha");
  b = honest;
  b.contests[0].selections[2].ct.beta = point::identity();
  resign(b, ske_, sid_);
  expect_failure(check(specs, b), error::invalid_point, "contests[0].selections[2].beta");
}

TEST_F(BallotTest, OverVoteWithAForgedProofIsRejected) {
  // A dishonest tablet encrypts values build_ballot refuses, proving what it can with the
  // honest algorithm and claiming an allowed value where it cannot.
  const std::vector<contest_spec> specs = {{"财政局", 3, 1, 1}};
  const auto forge = [&](const std::vector<std::uint32_t>& values, std::uint32_t claimed_sum) {
    ballot b;
    b.round = round_;
    b.vk = ske_.public_key();
    b.token = token_;
    contest_ballot c;
    c.id = specs[0].id;
    const bytes ctx = ballot_context(sid_, round_, c.id, b.vk);
    ciphertext sum;
    scalar r_sum;
    for (std::uint16_t i = 0; i < values.size(); ++i) {
      const scalar r = scalar::random_non_zero(rng_);
      const ciphertext ct = encrypt(values[i], r, key_);
      const std::uint32_t claimed = values[i] > 1 ? 1 : values[i];
      c.selections.push_back({ct, prove_range(selection_context(ctx, i), key_, ct, claimed, r, 0, 1, rng_).value()});
      sum = sum + ct;
      r_sum += r;
    }
    c.limit_proof =
        prove_range(selection_context(ctx, limit_option), key_, sum, claimed_sum, r_sum, 1, 1, rng_).value();
    b.contests.push_back(c);
    resign(b, ske_, sid_);
    return b;
  };
  // The forger's own machinery is right: honest values give a valid ballot.
  EXPECT_TRUE(check(specs, forge({0, 1, 0}, 1)).ok());
  expect_failure(check(specs, forge({1, 1, 0}, 1)), error::invalid_proof, "contests[0].limit_proof");
  expect_failure(check(specs, forge({0, 0, 0}, 1)), error::invalid_proof, "contests[0].limit_proof");
  expect_failure(check(specs, forge({0, 2, 0}, 1)), error::invalid_proof, "contests[0].selections[1].proof");
}

TEST_F(BallotTest, ChangeToAnyPartIsRejectedNamingThatPart) {
  // A one-byte change that still decodes (a changed point must still be a point to reach the
  // verifier at all). A changed α or β cannot be told from a changed proof, so the proof it
  // breaks is what is named. Nothing is re-signed: the most specific failure wins over "sig".
  const auto specs = evaluation(3, 3);
  const ballot honest = must_build(specs, {one_of(3, 2), one_of(3, 0), one_of(3, 1)});
  ASSERT_TRUE(check(specs, honest).ok());

  struct change {
    std::string what;
    std::function<void(ballot&)> apply;
    error code;
    std::string field;
  };
  std::vector<change> changes = {
      {"contests[1].id", [](ballot& b) { b.contests[1].id[0] ^= 0x01; }, error::invalid_encoding, "contests[1].id"},
      {"limit proof c", [](ballot& b) { b.contests[1].limit_proof.c[0] = flipped(b.contests[1].limit_proof.c[0]); },
       error::invalid_proof, "contests[1].limit_proof"},
      {"limit proof s", [](ballot& b) { b.contests[1].limit_proof.s[0] = flipped(b.contests[1].limit_proof.s[0]); },
       error::invalid_proof, "contests[1].limit_proof"},
      {"sig", [](ballot& b) { b.sig = signature(flip_first(b.sig.bytes())); }, error::invalid_signature, "sig"},
      {"vk", [](ballot& b) { b.vk = flipped(b.vk); }, error::invalid_proof, "contests[0].selections[0].proof"},
      {"round", [](ballot& b) { b.round ^= 0x01; }, error::invalid_proof, "contests[0].selections[0].proof"},
  };
  for (std::size_t i = 0; i < 3; ++i) {
    const std::string sel = indexed("contests[1].selections", i);
    const std::string proof = sel + ".proof";
    changes.push_back(
        {sel + ".alpha",
         [i](ballot& b) { b.contests[1].selections[i].ct.alpha = flipped(b.contests[1].selections[i].ct.alpha); },
         error::invalid_proof, proof});
    changes.push_back(
        {sel + ".beta",
         [i](ballot& b) { b.contests[1].selections[i].ct.beta = flipped(b.contests[1].selections[i].ct.beta); },
         error::invalid_proof, proof});
    for (std::size_t j = 0; j < 2; ++j) {
      changes.push_back({indexed(proof + ".c", j),
                         [i, j](ballot& b) {
                           auto& c = b.contests[1].selections[i].proof.c[j];
                           c = flipped(c);
                         },
                         error::invalid_proof, proof});
      changes.push_back({indexed(proof + ".s", j),
                         [i, j](ballot& b) {
                           auto& s = b.contests[1].selections[i].proof.s[j];
                           s = flipped(s);
                         },
                         error::invalid_proof, proof});
    }
  }
  for (const auto& c : changes) {
    SCOPED_TRACE(c.what);
    ballot b = honest;
    c.apply(b);
    ASSERT_NE(b, honest);
    expect_failure(check(specs, b), c.code, c.field);
  }
}

TEST_F(BallotTest, ShapeThatDoesNotMatchTheSpecsIsRejected) {
  const std::vector<contest_spec> specs = {{"财政局", 3, 1, 1}, {"候选人", 4, 0, 2}};
  const ballot honest = must_build(specs, {one_of(3, 1), {1, 0, 0, 1}});
  struct change {
    const char* what;
    std::function<void(ballot&)> apply;
    error code;
    std::string field;
  };
  const change changes[] = {
      {"a contest missing", [](ballot& b) { b.contests.pop_back(); }, error::invalid_encoding, "contests"},
      {"a contest extra", [](ballot& b) { b.contests.push_back(b.contests[0]); }, error::invalid_encoding, "contests"},
      {"contests in another order", [](ballot& b) { std::swap(b.contests[0], b.contests[1]); }, error::invalid_encoding,
       "contests[0].id"},
      {"a selection missing", [](ballot& b) { b.contests[1].selections.pop_back(); }, error::invalid_encoding,
       "contests[1].selections"},
      {"a selection extra", [](ballot& b) { b.contests[0].selections.push_back(b.contests[0].selections[0]); },
       error::invalid_encoding, "contests[0].selections"},
      {"a 0/1 proof with three challenges", [](ballot& b) { b.contests[0].selections[1].proof.c.push_back(scalar{}); },
       error::invalid_proof, "contests[0].selections[1].proof"},
      {"a 0/1 proof with one response", [](ballot& b) { b.contests[1].selections[2].proof.s.pop_back(); },
       error::invalid_proof, "contests[1].selections[2].proof"},
      {"a 0/1 proof with no lists", [](ballot& b) { b.contests[1].selections[0].proof = range_proof{}; },
       error::invalid_proof, "contests[1].selections[0].proof"},
      {"a limit proof one short",
       [](ballot& b) {
         b.contests[1].limit_proof.c.pop_back();
         b.contests[1].limit_proof.s.pop_back();
       },
       error::invalid_proof, "contests[1].limit_proof"},
      {"a limit proof one long", [](ballot& b) { b.contests[0].limit_proof.c.push_back(scalar{}); },
       error::invalid_proof, "contests[0].limit_proof"},
  };
  for (const auto& c : changes) {
    SCOPED_TRACE(c.what);
    ballot b = honest;
    c.apply(b);
    resign(b, ske_, sid_);
    expect_failure(check(specs, b), c.code, c.field);
  }
}

TEST_F(BallotTest, ShapeIsCheckedBeforeAnyProof) {
  // A malformed later contest is refused before the proofs of an earlier one are computed, so
  // malformed input costs no group operation.
  const auto specs = evaluation(2, 3);
  const ballot honest = must_build(specs, {one_of(3, 0), one_of(3, 1)});
  ballot b = honest;
  b.contests[0].selections[0].proof.c[0] = flipped(b.contests[0].selections[0].proof.c[0]);
  b.contests[1].limit_proof.s.pop_back();
  expect_failure(check(specs, b), error::invalid_proof, "contests[1].limit_proof");
  b = honest;
  b.contests[0].selections[0].proof.c[0] = flipped(b.contests[0].selections[0].proof.c[0]);
  b.contests[1].selections[2].proof.c.push_back(scalar{});
  expect_failure(check(specs, b), error::invalid_proof, "contests[1].selections[2].proof");
  b = honest;
  b.contests[0].limit_proof.c[0] = flipped(b.contests[0].limit_proof.c[0]);
  b.contests[1].selections[1].ct.beta = point::identity();
  expect_failure(check(specs, b), error::invalid_point, "contests[1].selections[1].beta");
}

TEST_F(BallotTest, VerifiedAgainstOtherLimitsFails) {
  const std::vector<contest_spec> specs = {{"候选人", 4, 0, 2}};
  const ballot b = must_build(specs, {{0, 1, 0, 0}});
  // Same number of values, other values: the proof is about {0, 1, 2}, not {1, 2, 3}.
  const std::vector<contest_spec> shifted = {{"候选人", 4, 1, 3}};
  expect_failure(check(shifted, b), error::invalid_proof, "contests[0].limit_proof");
  const std::vector<contest_spec> wider = {{"候选人", 4, 0, 3}};
  expect_failure(check(wider, b), error::invalid_proof, "contests[0].limit_proof");
  const std::vector<contest_spec> more_options = {{"候选人", 5, 0, 2}};
  expect_failure(check(more_options, b), error::invalid_encoding, "contests[0].selections");
}

TEST_F(BallotTest, SignatureByAnotherKeyIsRejected) {
  const auto specs = evaluation(1, 3);
  ballot b = must_build(specs, {one_of(3, 1)});
  resign(b, signing_key::generate(rng_), sid_);
  expect_failure(check(specs, b), error::invalid_signature, "sig");
  b.sig = signature{};
  expect_failure(check(specs, b), error::invalid_signature, "sig");
}

TEST_F(BallotTest, ContextsFollowTheDocumentedLayout) {
  const verify_key vk = ske_.public_key();
  transcript expected;
  expected.raw(sid_).raw(bytes{0, 0, 0, 3}).raw(bytes{0, 9}).raw("财政局").raw(vk.bytes());
  const bytes ctx = ballot_context(sid_, 3, "财政局", vk);
  EXPECT_EQ(ctx, expected.data());
  bytes with_option = expected.data();
  with_option.push_back(0x01);
  with_option.push_back(0x02);
  EXPECT_EQ(selection_context(ctx, 0x0102), with_option);
  with_option[with_option.size() - 2] = 0xFF;
  with_option[with_option.size() - 1] = 0xFF;
  EXPECT_EQ(selection_context(ctx, limit_option), with_option);
}

TEST_F(BallotTest, DigestFollowsTheDocumentedLayoutAndIsSigned) {
  const std::vector<contest_spec> specs = {{"财政局", 3, 1, 1}, {"候选人", 4, 0, 2}};
  const ballot b = must_build(specs, {one_of(3, 1), {1, 0, 0, 1}});
  transcript t;
  t.raw("pingyi-v1-ballot").raw(sid_).u32(round_).raw(b.vk.bytes());
  for (const auto& c : b.contests) {
    t.lp(c.id);
    for (const auto& sel : c.selections) {
      t.raw(sel.ct.alpha.bytes()).raw(sel.ct.beta.bytes());
      for (const auto& s : sel.proof.c) t.raw(s.bytes());
      for (const auto& s : sel.proof.s) t.raw(s.bytes());
    }
    for (const auto& s : c.limit_proof.c) t.raw(s.bytes());
    for (const auto& s : c.limit_proof.s) t.raw(s.bytes());
  }
  const byte_array<64> digest = sha512(t.view());
  EXPECT_EQ(ballot_digest(sid_, b), digest);
  EXPECT_TRUE(verify(b.vk, digest, b.sig).ok());
}

TEST_F(BallotTest, BuildDrawsInTheDocumentedOrder) {
  // Per option: r_i (non-zero), then the 0/1 proof's w, c_j, s_j; then the limit proof's w.
  const std::vector<contest_spec> specs = {{"财政局", 3, 1, 1}};
  const std::vector<std::uint8_t> values = {0, 1, 0};
  const byte_array<32> seed = sha256(as_bytes("ballot draw order"));
  deterministic_random rng(seed);
  const ballot b = build_ballot(sid_, round_, ske_, token_, key_, specs, {values}, rng).value();
  EXPECT_EQ(rng.draws(), 3u * (1 + 3) + 1);

  deterministic_random replay(seed);
  scalar r_sum;
  for (std::size_t i = 0; i < 3; ++i) {
    SCOPED_TRACE(i);
    const scalar r = scalar::random_non_zero(replay);
    r_sum += r;
    const auto& sel = b.contests[0].selections[i];
    EXPECT_EQ(sel.ct, encrypt(values[i], r, key_));
    const scalar w = scalar::random(replay);
    const std::size_t simulated = values[i] == 0 ? 1 : 0;
    EXPECT_EQ(sel.proof.c[simulated], scalar::random(replay));
    EXPECT_EQ(sel.proof.s[simulated], scalar::random(replay));
    EXPECT_EQ(sel.proof.s[1 - simulated], w + sel.proof.c[1 - simulated] * r);
  }
  const scalar w = scalar::random(replay);
  EXPECT_EQ(b.contests[0].limit_proof.s[0], w + b.contests[0].limit_proof.c[0] * r_sum);
}

TEST_F(BallotTest, SameSeedBuildsTheSameBallot) {
  const auto specs = evaluation(2, 3);
  const ballot_choices choices = {one_of(3, 0), one_of(3, 2)};
  deterministic_random a(sha256(as_bytes("same ballot seed")));
  deterministic_random b(sha256(as_bytes("same ballot seed")));
  const ballot first = build_ballot(sid_, round_, ske_, token_, key_, specs, choices, a).value();
  const ballot second = build_ballot(sid_, round_, ske_, token_, key_, specs, choices, b).value();
  EXPECT_EQ(first, second);
  EXPECT_NE(first, must_build(specs, choices));  // another seed, other ciphertexts
}

TEST_F(BallotTest, HomomorphicSumsDecryptToTheCounts) {
  // Nine members evaluate three units and choose up to two of four candidates; the sums of
  // their ciphertexts, decrypted with the election secret (M = B − x·A), give the counts.
  std::vector<contest_spec> specs = evaluation(3, 3);
  specs.push_back({"候选人", 4, 0, 2});
  const std::vector<ballot_choices> cast = {
      {one_of(3, 0), one_of(3, 0), one_of(3, 2), {1, 1, 0, 0}},
      {one_of(3, 0), one_of(3, 1), one_of(3, 2), {1, 0, 0, 0}},
      {one_of(3, 1), one_of(3, 0), one_of(3, 2), {0, 0, 0, 0}},
      {one_of(3, 0), one_of(3, 2), one_of(3, 1), {1, 0, 1, 0}},
      {one_of(3, 2), one_of(3, 0), one_of(3, 2), {0, 1, 0, 0}},
      {one_of(3, 0), one_of(3, 0), one_of(3, 0), {1, 0, 0, 1}},
      {one_of(3, 1), one_of(3, 1), one_of(3, 2), {0, 0, 0, 0}},
      {one_of(3, 0), one_of(3, 0), one_of(3, 2), {1, 1, 0, 0}},
      {one_of(3, 0), one_of(3, 2), one_of(3, 1), {0, 0, 1, 1}},
  };
  const std::vector<std::vector<std::uint32_t>> expected = {{6, 2, 1}, {5, 2, 2}, {1, 2, 6}, {5, 3, 2, 2}};

  std::vector<std::vector<ciphertext>> sums;
  for (const auto& spec : specs) sums.emplace_back(spec.options);
  for (const auto& choices : cast) {
    const ballot b =
        build_ballot(sid_, round_, signing_key::generate(rng_), token_, key_, specs, choices, rng_).value();
    ASSERT_TRUE(check(specs, b).ok());
    for (std::size_t k = 0; k < specs.size(); ++k) {
      for (std::size_t i = 0; i < specs[k].options; ++i) sums[k][i] = sums[k][i] + b.contests[k].selections[i].ct;
    }
  }
  for (std::size_t k = 0; k < specs.size(); ++k) {
    for (std::size_t i = 0; i < specs[k].options; ++i) {
      const point m = sums[k][i].beta - x_ * sums[k][i].alpha;
      std::optional<std::uint32_t> count;
      point jg;  // j·G, j = 0 … ballots
      for (std::uint32_t j = 0; j <= cast.size(); ++j, jg += point::generator()) {
        if (m == jg) count = j;
      }
      ASSERT_TRUE(count.has_value()) << k << "/" << i;
      EXPECT_EQ(*count, expected[k][i]) << "contest " << k << " option " << i;
    }
  }
}

}  // namespace
}  // namespace pingyi::crypto
