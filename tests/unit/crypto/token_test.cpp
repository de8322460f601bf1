// pingyi's voting tokens (DESIGN.md §3.2): the whole flow from blinding to an observer's check,
// the token's binding to session, round and vk, a tagging server caught by the tablet, and every
// identity or garbage input refused.
#include "pingyi/crypto/token.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "pingyi/crypto/hash.hpp"
#include "pingyi/crypto/init.hpp"

namespace pingyi::crypto {
namespace {

class Token : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { ASSERT_TRUE(init()); }

  // The tablet's side up to the unblinded token N, with the server answering honestly.
  struct issued {
    voprf::blinded_input request;
    voprf::evaluation answer;
    point token;
  };
  issued obtain(const session_id& sid, std::uint32_t round, const verify_key& vk) {
    issued out;
    out.request = blind_token(sid, round, vk, rng_).value();
    out.answer = issue_token(key_, out.request.element, rng_);
    out.token = unblind_token(key_.pk, out.request, out.answer.elements.at(0), out.answer.dleq).value();
    return out;
  }

  deterministic_random rng_{sha256(as_bytes("pingyi token tests"))};
  voprf::key_pair key_ = generate_token_key(rng_);
  session_id sid_ = sha256(as_bytes("a genesis line"));
  std::uint32_t round_ = 3;
  signing_key ske_ = signing_key::generate(rng_);
  verify_key vk_ = ske_.public_key();
};

TEST_F(Token, InputIsTagSessionRoundAndVk) {
  bytes expected;
  const std::string tag = "pingyi-v1-token";
  expected.insert(expected.end(), tag.begin(), tag.end());
  expected.insert(expected.end(), sid_.begin(), sid_.end());
  for (const byte b : {0x00, 0x00, 0x00, 0x03}) expected.push_back(b);
  expected.insert(expected.end(), vk_.bytes().begin(), vk_.bytes().end());
  EXPECT_EQ(token_input(sid_, round_, vk_), expected);
  EXPECT_EQ(token_input(sid_, round_, vk_).size(), 15u + 32u + 4u + 32u);
  // I2OSP(round, 4) is big-endian.
  EXPECT_EQ(token_input(sid_, 0x01020304, vk_)[15 + 32], 0x01);
  EXPECT_EQ(token_input(sid_, 0x01020304, vk_)[15 + 32 + 3], 0x04);
}

TEST_F(Token, PointIsRfcHashToGroupWithModeOneDst) {
  // "HashToGroup-" ‖ "OPRFV1-" ‖ 0x01 ‖ "-ristretto255-SHA512", written out independently.
  const std::string dst = std::string("HashToGroup-OPRFV1-") + '\x01' + "-ristretto255-SHA512";
  EXPECT_EQ(token_point(sid_, round_, vk_), hash_to_group(token_input(sid_, round_, vk_), as_bytes(dst)));
}

TEST_F(Token, GeneratedKeyIsNonZeroWithMatchingPublicKey) {
  EXPECT_FALSE(key_.sk.is_zero());
  EXPECT_EQ(key_.pk, point::mul_base(key_.sk));
  EXPECT_NE(generate_token_key(rng_).sk, key_.sk);
}

TEST_F(Token, WholeFlowGivesTokenTheServerAcceptsAndObserversVerify) {
  const issued t = obtain(sid_, round_, vk_);
  const point T = token_point(sid_, round_, vk_);
  EXPECT_EQ(t.token, key_.sk * T);  // N = skT·T, though the server never saw T
  EXPECT_TRUE(check_token(key_.sk, T, t.token).ok());
  const proof p = prove_token(key_, T, t.token, rng_);
  EXPECT_TRUE(verify_token(key_.pk, T, t.token, p).ok());
}

TEST_F(Token, BlindingHidesTheInputButNotTheToken) {
  const issued a = obtain(sid_, round_, vk_);
  const issued b = obtain(sid_, round_, vk_);
  // What the server sees differs between two requests for the same input …
  EXPECT_NE(a.request.element, b.request.element);
  EXPECT_NE(a.request.element, token_point(sid_, round_, vk_));
  // … and yet they unblind to the one token.
  EXPECT_EQ(a.token, b.token);
}

TEST_F(Token, IsBoundToSessionRoundAndVk) {
  const issued t = obtain(sid_, round_, vk_);
  const proof p = prove_token(key_, token_point(sid_, round_, vk_), t.token, rng_);
  const verify_key other_vk = signing_key::generate(rng_).public_key();
  struct redeem {
    const char* what;
    point T;
  };
  const std::vector<redeem> elsewhere = {
      {"another session", token_point(sha256(as_bytes("another genesis")), round_, vk_)},
      {"another round", token_point(sid_, round_ + 1, vk_)},
      {"round 0", token_point(sid_, 0, vk_)},
      {"another vk", token_point(sid_, round_, other_vk)},
  };
  for (const auto& e : elsewhere) {
    EXPECT_NE(e.T, token_point(sid_, round_, vk_)) << e.what;
    const auto checked = check_token(key_.sk, e.T, t.token);
    ASSERT_FALSE(checked.ok()) << e.what;
    EXPECT_EQ(checked.error().code, error::invalid_proof) << e.what;
    EXPECT_FALSE(verify_token(key_.pk, e.T, t.token, p).ok()) << e.what;
    // Even a fresh proof by the server cannot make the token fit elsewhere.
    EXPECT_FALSE(verify_token(key_.pk, e.T, t.token, prove_token(key_, e.T, t.token, rng_)).ok()) << e.what;
  }
}

TEST_F(Token, TaggingServerIsCaughtByUnblind) {
  // The server answers one member with a key of its own, so that member's ballot would carry
  // a token recognisable by that key.
  const voprf::key_pair tagging = generate_token_key(rng_);
  const voprf::blinded_input request = blind_token(sid_, round_, vk_, rng_).value();
  const voprf::evaluation tagged = issue_token(tagging, request.element, rng_);
  const auto u = unblind_token(key_.pk, request, tagged.elements[0], tagged.dleq);
  ASSERT_FALSE(u.ok());
  EXPECT_EQ(u.error().code, error::invalid_proof);
  // Its own proof is fine for its own key: only checking against pkT from genesis catches it.
  EXPECT_TRUE(unblind_token(tagging.pk, request, tagged.elements[0], tagged.dleq).ok());

  // Mixing: the tagged element with the honest key's proof for the honest element.
  const voprf::evaluation honest = issue_token(key_, request.element, rng_);
  EXPECT_FALSE(unblind_token(key_.pk, request, tagged.elements[0], honest.dleq).ok());
  EXPECT_TRUE(unblind_token(key_.pk, request, honest.elements[0], honest.dleq).ok());
}

TEST_F(Token, AnswerForAnotherMembersRequestIsRefused) {
  const voprf::blinded_input mine = blind_token(sid_, round_, vk_, rng_).value();
  const voprf::blinded_input theirs = blind_token(sid_, round_, signing_key::generate(rng_).public_key(), rng_).value();
  const voprf::evaluation answer = issue_token(key_, theirs.element, rng_);
  EXPECT_EQ(unblind_token(key_.pk, mine, answer.elements[0], answer.dleq).error().code, error::invalid_proof);
}

TEST_F(Token, UnblindRefusesIdentityAndZero) {
  const issued t = obtain(sid_, round_, vk_);
  const point Z = t.answer.elements[0];
  const proof& p = t.answer.dleq;
  EXPECT_EQ(unblind_token(point::identity(), t.request, Z, p).error().code, error::invalid_point);
  EXPECT_EQ(unblind_token(key_.pk, t.request, point::identity(), p).error().code, error::invalid_point);
  voprf::blinded_input identity_request = t.request;
  identity_request.element = point::identity();
  EXPECT_EQ(unblind_token(key_.pk, identity_request, Z, p).error().code, error::invalid_point);
  voprf::blinded_input zero_blind = t.request;
  zero_blind.blind = scalar::zero();
  EXPECT_FALSE(unblind_token(key_.pk, zero_blind, Z, p).ok());
  EXPECT_FALSE(unblind_token(key_.pk, t.request, Z, proof{}).ok());
}

TEST_F(Token, IssueForIdentityGivesNothingUsable) {
  const voprf::evaluation ev = issue_token(key_, point::identity(), rng_);
  ASSERT_EQ(ev.elements.size(), 1u);
  EXPECT_TRUE(ev.elements[0].is_identity());
  voprf::blinded_input request = blind_token(sid_, round_, vk_, rng_).value();
  EXPECT_FALSE(unblind_token(key_.pk, request, ev.elements[0], ev.dleq).ok());
  request.element = point::identity();
  EXPECT_FALSE(unblind_token(key_.pk, request, ev.elements[0], ev.dleq).ok());
}

TEST_F(Token, CheckRefusesIdentityAndGarbage) {
  const issued t = obtain(sid_, round_, vk_);
  const point T = token_point(sid_, round_, vk_);
  EXPECT_EQ(check_token(key_.sk, T, point::identity()).error().code, error::invalid_point);
  EXPECT_EQ(check_token(key_.sk, point::identity(), t.token).error().code, error::invalid_point);
  EXPECT_EQ(check_token(key_.sk, T, point::generator()).error().code, error::invalid_proof);
  EXPECT_EQ(check_token(key_.sk, T, T).error().code, error::invalid_proof);
  // The blinded answer Z is not the token.
  EXPECT_EQ(check_token(key_.sk, T, t.answer.elements[0]).error().code, error::invalid_proof);
  // Nor is the token under another key.
  EXPECT_FALSE(check_token(generate_token_key(rng_).sk, T, t.token).ok());
}

TEST_F(Token, VerifyRefusesOtherKeysTokensAndChangedProofs) {
  const issued t = obtain(sid_, round_, vk_);
  const point T = token_point(sid_, round_, vk_);
  const proof p = prove_token(key_, T, t.token, rng_);
  ASSERT_TRUE(verify_token(key_.pk, T, t.token, p).ok());

  EXPECT_EQ(verify_token(generate_token_key(rng_).pk, T, t.token, p).error().code, error::invalid_proof);
  EXPECT_FALSE(verify_token(key_.pk, T, point::generator(), p).ok());
  EXPECT_FALSE(verify_token(key_.pk, T, t.token, proof{p.s, p.c}).ok());
  EXPECT_FALSE(verify_token(key_.pk, T, t.token, proof{p.c + scalar::one(), p.s}).ok());
  EXPECT_FALSE(verify_token(key_.pk, T, t.token, proof{p.c, p.s + scalar::one()}).ok());
  EXPECT_FALSE(verify_token(key_.pk, T, t.token, proof{}).ok());
  // The proof made at issuance is about B and Z, not about T and N.
  EXPECT_FALSE(verify_token(key_.pk, T, t.token, t.answer.dleq).ok());
  // Another token's proof.
  const issued other = obtain(sid_, round_, signing_key::generate(rng_).public_key());
  EXPECT_FALSE(verify_token(key_.pk, T, t.token, prove_token(key_, T, other.token, rng_)).ok());

  EXPECT_EQ(verify_token(point::identity(), T, t.token, p).error().code, error::invalid_point);
  EXPECT_EQ(verify_token(key_.pk, point::identity(), t.token, p).error().code, error::invalid_point);
  EXPECT_EQ(verify_token(key_.pk, T, point::identity(), p).error().code, error::invalid_point);
}

TEST_F(Token, ProofForIdentityNeverVerifies) {
  const point T = token_point(sid_, round_, vk_);
  const proof p = prove_token(key_, T, point::identity(), rng_);
  EXPECT_EQ(p, proof{});
  EXPECT_FALSE(verify_token(key_.pk, T, point::identity(), p).ok());
}

TEST_F(Token, ServerProofIsFreshEachTime) {
  // The nonce is random: two proofs for one token differ and both verify.
  const issued t = obtain(sid_, round_, vk_);
  const point T = token_point(sid_, round_, vk_);
  const proof a = prove_token(key_, T, t.token, rng_);
  const proof b = prove_token(key_, T, t.token, rng_);
  EXPECT_NE(a.c, b.c);
  EXPECT_TRUE(verify_token(key_.pk, T, t.token, a).ok());
  EXPECT_TRUE(verify_token(key_.pk, T, t.token, b).ok());
}

}  // namespace
}  // namespace pingyi::crypto
