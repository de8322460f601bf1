// Trustees and the election key (DESIGN.md §3.5): recovery codes, the key derived from one (the
// same however it is typed, different in another session), the proof of possession and
// everything it must refuse, and X = Σ X_t.
#include "pingyi/crypto/trustee.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <set>
#include <string>
#include <vector>

#include "pingyi/crypto/hash.hpp"
#include "pingyi/crypto/init.hpp"

namespace pingyi::crypto {
namespace {

constexpr std::string_view alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

// A source that repeats one byte: shows exactly how bytes become characters.
class constant_random final : public random_source {
 public:
  explicit constant_random(byte b) : b_(b) {}
  void fill(std::span<byte> out) override { std::fill(out.begin(), out.end(), b_); }

 private:
  byte b_;
};

// Counts draws; byte i of every draw is i.
class counting_random final : public random_source {
 public:
  void fill(std::span<byte> out) override {
    ++draws;
    for (std::size_t i = 0; i < out.size(); ++i) out[i] = static_cast<byte>(i);
  }
  int draws = 0;
};

class TrusteeTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { ASSERT_TRUE(init()); }

  deterministic_random rng_{sha256(as_bytes("pingyi trustee tests"))};
  session_id sid_ = sha256(as_bytes("a genesis line"));
  std::string code_ = "0123456789ABCDEFGHJK";
};

TEST_F(TrusteeTest, RecoveryCodeTakesEachByteModuloThirtyTwo) {
  // One draw of 20 bytes 00, 01, … 13 gives the first twenty characters of the alphabet.
  counting_random counting;
  EXPECT_EQ(generate_recovery_code(counting), "0123456789ABCDEFGHJK");
  EXPECT_EQ(counting.draws, 1);
  // 0xff & 31 = 31 (Z); 0x20 & 31 = 0; 0x3f & 31 = 31: only the low five bits count.
  constant_random ff(0xff), x20(0x20), x3f(0x3f);
  EXPECT_EQ(generate_recovery_code(ff), std::string(20, 'Z'));
  EXPECT_EQ(generate_recovery_code(x20), std::string(20, '0'));
  EXPECT_EQ(generate_recovery_code(x3f), std::string(20, 'Z'));
}

TEST_F(TrusteeTest, RecoveryCodesAreTwentyAlphabetCharactersAndDiffer) {
  std::set<std::string> seen;
  for (int i = 0; i < 50; ++i) {
    const std::string code = generate_recovery_code(rng_);
    ASSERT_EQ(code.size(), recovery_code_length);
    EXPECT_TRUE(std::all_of(code.begin(), code.end(), [](char c) { return alphabet.find(c) != alphabet.npos; }));
    seen.insert(code);
  }
  EXPECT_EQ(seen.size(), 50u);
}

TEST_F(TrusteeTest, RecoveryCodeIsShownInGroupsOfFour) {
  EXPECT_EQ(format_recovery_code(code_), "0123-4567-89AB-CDEF-GHJK");
}

TEST_F(TrusteeTest, NormalizeRecoveryCodeAcceptsOnlyTwentyCharacters) {
  EXPECT_EQ(normalize_recovery_code("0123-4567-89ab-cdef-ghjk").value(), code_);
  EXPECT_FALSE(normalize_recovery_code("0123-4567-89ab-cdef-ghj").ok());
  EXPECT_FALSE(normalize_recovery_code("0123-4567-89ab-cdef-ghjk-0").ok());
  EXPECT_FALSE(normalize_recovery_code("0123-4567-89ab-cdef-ghjU").ok());
}

TEST_F(TrusteeTest, SameCodeHoweverTypedGivesTheSameKey) {
  // The code on paper contains 1 and 0, which a scrutineer may type as I, L or O.
  const std::string code = "1100-ABCD-EFGH-JKMN-1010";
  const auto key = trustee_key_from_code(sid_, "1100ABCDEFGHJKMN1010");
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(key->key, point::mul_base(key->x));
  for (const char* typed : {"1100-ABCD-EFGH-JKMN-1010", "1100abcdefghjkmn1010", "iLoO-abcd-efgh-jkmn-lOIo",
                            " 1100 ABCD EFGH JKMN 1010 ", "IL00-aBcD-eFgH-jKmN-1o1O"}) {
    SCOPED_TRACE(typed);
    const auto canonical = normalize_recovery_code(typed);
    ASSERT_TRUE(canonical.ok());
    const auto again = trustee_key_from_code(sid_, *canonical);
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(again->x, key->x);
    EXPECT_EQ(again->key, key->key);
  }
  EXPECT_EQ(format_recovery_code("1100ABCDEFGHJKMN1010"), code);
}

TEST_F(TrusteeTest, KeyIsHashToScalarOfSessionAndCode) {
  // x = HashToScalar(lp(session_id) ‖ lp(code), "pingyi-v1-trustee-key"), written out here from
  // the primitives so that a change of field order, prefix or tag shows.
  transcript t;
  t.u16(32).raw(sid_).u16(20).raw(code_);
  const scalar expected = hash_to_scalar(t.view(), as_bytes("pingyi-v1-trustee-key"));
  const auto key = trustee_key_from_code(sid_, code_);
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(key->x, expected);
  EXPECT_EQ(key->key, point::mul_base(expected));
}

TEST_F(TrusteeTest, SameCodeInAnotherSessionGivesAnotherKey) {
  session_id other = sid_;
  other[31] ^= 1;
  const auto here = trustee_key_from_code(sid_, code_);
  const auto there = trustee_key_from_code(other, code_);
  ASSERT_TRUE(here.ok());
  ASSERT_TRUE(there.ok());
  EXPECT_NE(here->key, there->key);
}

TEST_F(TrusteeTest, AnotherCodeGivesAnotherKey) {
  const auto a = trustee_key_from_code(sid_, "0123456789ABCDEFGHJK");
  const auto b = trustee_key_from_code(sid_, "0123456789ABCDEFGHJM");
  ASSERT_TRUE(a.ok());
  ASSERT_TRUE(b.ok());
  EXPECT_NE(a->key, b->key);
}

TEST_F(TrusteeTest, KeyFromCodeRefusesCodesNotNormalized) {
  // Hashing a code as typed would silently give another key; it must be normalized first.
  for (const char* raw : {"0123-4567-89AB-CDEF-GHJK", "0123456789abcdefghjk", "0123456789ABCDEFGHJ",
                          "0123456789ABCDEFGHJKM", "0123456789ABCDEFGHJI", "0123456789ABCDEFGHJU", ""}) {
    SCOPED_TRACE(raw);
    const auto key = trustee_key_from_code(sid_, raw);
    ASSERT_FALSE(key.ok());
    EXPECT_EQ(key.error().code, error::invalid_encoding);
    EXPECT_EQ(key.error().field, "code");
  }
}

TEST_F(TrusteeTest, GeneratedKeyIsConsistentAndNonZero) {
  const trustee_key k = generate_trustee_key(rng_);
  EXPECT_FALSE(k.x.is_zero());
  EXPECT_EQ(k.key, point::mul_base(k.x));
}

TEST_F(TrusteeTest, ProofOfPossessionVerifies) {
  const trustee_key key = trustee_key_from_code(sid_, code_).value();
  const proof pop = prove_trustee_key(sid_, "m01", key, rng_);
  EXPECT_TRUE(verify_trustee_key(sid_, "m01", key.key, pop).ok());
  const trustee_key server = generate_trustee_key(rng_);
  EXPECT_TRUE(verify_trustee_key(sid_, "server", server.key, prove_trustee_key(sid_, "server", server, rng_)).ok());
}

TEST_F(TrusteeTest, ProofOfPossessionHasTheChallengeOfDesign) {
  // c = HashToScalar(lp(session_id) ‖ lp(trustee_id) ‖ lp(X_t) ‖ lp(h), "pingyi-v1-trustee"), with
  // h = s·G − c·X_t, written out from the primitives.
  const trustee_key key = trustee_key_from_code(sid_, code_).value();
  const proof pop = prove_trustee_key(sid_, "委员01", key, rng_);
  const point h = point::mul_base(pop.s) - pop.c * key.key;
  transcript t;
  t.u16(32).raw(sid_).u16(8).raw("委员01").u16(32).raw(key.key.bytes()).u16(32).raw(h.bytes());
  EXPECT_EQ(pop.c, hash_to_scalar(t.view(), as_bytes("pingyi-v1-trustee")));
}

TEST_F(TrusteeTest, ProofOfPossessionFailsForAnythingElse) {
  const trustee_key key = trustee_key_from_code(sid_, code_).value();
  const trustee_key other = generate_trustee_key(rng_);
  const proof pop = prove_trustee_key(sid_, "m01", key, rng_);
  session_id other_sid = sid_;
  other_sid[0] ^= 0x40;

  struct input {
    session_id sid;
    std::string id;
    point key;
    proof pop;
  };
  const struct {
    const char* name;
    std::function<void(input&)> change;
  } cases[] = {
      {"another trustee id", [](input& in) { in.id = "m02"; }},
      {"the server's id", [](input& in) { in.id = "server"; }},
      {"another session", [&](input& in) { in.sid = other_sid; }},
      {"another key", [&](input& in) { in.key = other.key; }},
      {"the key plus G", [](input& in) { in.key += point::generator(); }},
      {"changed c", [](input& in) { in.pop.c += scalar::one(); }},
      {"changed s", [](input& in) { in.pop.s += scalar::one(); }},
      {"c and s swapped", [](input& in) { std::swap(in.pop.c, in.pop.s); }},
      {"another key's proof", [&](input& in) { in.pop = prove_trustee_key(sid_, "m01", other, rng_); }},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    input in{sid_, "m01", key.key, pop};
    c.change(in);
    const status s = verify_trustee_key(in.sid, in.id, in.key, in.pop);
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.error().code, error::invalid_proof);
  }
}

TEST_F(TrusteeTest, IdentityKeyIsRefused) {
  // A proof for x = 0 verifies like any other (h = s·G − c·identity); the identity key is refused
  // before its proof is looked at, as §3 forbids identity public keys.
  const trustee_key zero{scalar::zero(), point::identity()};
  const proof pop = prove_trustee_key(sid_, "m01", zero, rng_);
  const status s = verify_trustee_key(sid_, "m01", point::identity(), pop);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, error::invalid_point);
  EXPECT_EQ(s.error().field, "key");
}

TEST_F(TrusteeTest, TrusteeIdTooLongToLengthPrefixIsRefused) {
  const trustee_key key = generate_trustee_key(rng_);
  const std::string huge(0x10000, 't');
  const status s = verify_trustee_key(sid_, huge, key.key, prove_trustee_key(sid_, huge, key, rng_));
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, error::out_of_range);
}

TEST_F(TrusteeTest, ElectionKeyIsTheSumOfTrusteeKeys) {
  const trustee_key server = generate_trustee_key(rng_);
  const trustee_key m01 = trustee_key_from_code(sid_, code_).value();
  const trustee_key m02 = trustee_key_from_code(sid_, "ZZZZ0000ZZZZ0000ZZZZ").value();
  const std::vector<point> keys = {server.key, m01.key, m02.key};
  EXPECT_EQ(election_key(keys), point::mul_base(server.x + m01.x + m02.x));
  // The server alone (a session with no scrutineers).
  EXPECT_EQ(election_key(std::vector<point>{server.key}), server.key);
  EXPECT_TRUE(election_key({}).is_identity());
}

}  // namespace
}  // namespace pingyi::crypto
