// RFC 9497 OPRF/VOPRF over ristretto255-SHA512: every Appendix A.1 vector (both modes, batch 2
// included) reproduced byte for byte, and every way a proof or a batch can be wrong refused.
#include "pingyi/crypto/voprf.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "pingyi/crypto/hash.hpp"
#include "pingyi/crypto/init.hpp"

namespace pingyi::crypto::voprf {
namespace {

using json = nlohmann::json;

template <class T>
T ok(result<T> r) {
  if (!r) ADD_FAILURE() << "failed: " << to_string(r.error().code) << " " << r.error().field;
  return std::move(r).value();
}

std::vector<std::string> split(const std::string& s) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  for (;;) {
    const std::size_t comma = s.find(',', start);
    parts.push_back(s.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
    if (comma == std::string::npos) return parts;
    start = comma + 1;
  }
}

bytes hx(const std::string& s) { return ok(crypto::from_hex(s)); }
point pt(const std::string& s) { return ok(point::from_hex_non_identity(s)); }
scalar sc(const std::string& s) { return ok(scalar::from_hex(s)); }

std::vector<bytes> hx_list(const json& j) {
  std::vector<bytes> out;
  for (const auto& s : split(j.get<std::string>())) out.push_back(hx(s));
  return out;
}
std::vector<point> pt_list(const json& j) {
  std::vector<point> out;
  for (const auto& s : split(j.get<std::string>())) out.push_back(pt(s));
  return out;
}
std::vector<scalar> sc_list(const json& j) {
  std::vector<scalar> out;
  for (const auto& s : split(j.get<std::string>())) out.push_back(sc(s));
  return out;
}

// RFC 9497 serialises a proof as c ‖ s.
bytes proof_bytes(const proof& p) { return transcript{}.raw(p.c.bytes()).raw(p.s.bytes()).data(); }
result<proof> proof_from_bytes(byte_view b) {
  if (b.size() != 64) return fail(error::invalid_encoding);
  auto c = scalar::decode(b.subspan(0, 32));
  if (!c) return c.error();
  auto s = scalar::decode(b.subspan(32, 32));
  if (!s) return s.error();
  return proof{*c, *s};
}

class Voprf : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    ASSERT_TRUE(init());
    std::ifstream in(PINGYI_TEST_DATA_DIR "/vectors/rfc9497-ristretto255-sha512.json");
    ASSERT_TRUE(in.good());
    doc_ = json::parse(in);
  }

  static const json& suite_json(int m) {
    for (const auto& s : doc_.at("suites")) {
      if (s.at("mode").get<int>() == m) return s;
    }
    ADD_FAILURE() << "no suite for mode " << m;
    return doc_;
  }

  static key_pair derived(const suite& s, const json& sj) {
    return ok(s.derive_key_pair(ok(from_hex_fixed<32>(sj.at("seed").get<std::string>())), hx(sj.at("keyInfo"))));
  }

  // The RFC's batch-2 VOPRF vector, the richest one: used by the negative tests.
  struct batch {
    key_pair key;
    std::vector<bytes> inputs;
    std::vector<scalar> blinds;
    std::vector<point> blinded;
    std::vector<point> evaluated;
    proof dleq;
  };
  static batch rfc_batch_of_two() {
    const suite s(mode::voprf);
    const json& sj = suite_json(1);
    for (const auto& v : sj.at("vectors")) {
      if (v.at("Batch").get<int>() != 2) continue;
      return batch{derived(s, sj),
                   hx_list(v.at("Input")),
                   sc_list(v.at("Blind")),
                   pt_list(v.at("BlindedElement")),
                   pt_list(v.at("EvaluationElement")),
                   ok(proof_from_bytes(hx(v.at("Proof").at("proof").get<std::string>())))};
    }
    ADD_FAILURE() << "no batch-2 vector";
    return {};
  }

  key_pair generate_key() {
    const scalar sk = scalar::random_non_zero(rng_);
    return key_pair{sk, point::mul_base(sk)};
  }

  static inline json doc_;
  const suite oprf_{mode::oprf};
  const suite voprf_{mode::voprf};
  deterministic_random rng_{sha256(as_bytes("pingyi voprf tests"))};
};

// ---- RFC 9497 Appendix A.1 -----------------------------------------------------------------

TEST_F(Voprf, VectorFileHoldsBothModesAndABatchOfTwo) {
  // So that the vector tests below cannot pass by finding nothing to check.
  EXPECT_EQ(suite_json(0).at("vectors").size(), 2u);
  EXPECT_EQ(suite_json(1).at("vectors").size(), 3u);
  EXPECT_EQ(suite_json(1).at("vectors").at(2).at("Batch").get<int>(), 2);
}

TEST_F(Voprf, ContextStringAndHashToGroupDstAreTheRfcs) {
  for (const mode m : {mode::oprf, mode::voprf}) {
    const suite s(m);
    const std::string expected_context =
        std::string("OPRFV1-") + char(static_cast<std::uint8_t>(m)) + "-ristretto255-SHA512";
    EXPECT_EQ(s.context_string(), bytes(expected_context.begin(), expected_context.end()));
    const bytes group_dst = transcript{}.raw("HashToGroup-").raw(s.context_string()).data();
    EXPECT_EQ(to_hex(group_dst), suite_json(static_cast<int>(m)).at("groupDST").get<std::string>());
  }
}

TEST_F(Voprf, DeriveKeyPairMatchesRfcVectors) {
  for (const mode m : {mode::oprf, mode::voprf}) {
    const suite s(m);
    const json& sj = suite_json(static_cast<int>(m));
    const key_pair key = derived(s, sj);
    EXPECT_EQ(key.sk.hex(), sj.at("skSm").get<std::string>());
    EXPECT_EQ(key.pk, point::mul_base(key.sk));
    if (sj.contains("pkSm")) {
      EXPECT_EQ(key.pk.hex(), sj.at("pkSm").get<std::string>());
    }
  }
}

TEST_F(Voprf, BlindMatchesRfcVectors) {
  int checked = 0;
  for (const mode m : {mode::oprf, mode::voprf}) {
    const suite s(m);
    for (const auto& v : suite_json(static_cast<int>(m)).at("vectors")) {
      const auto inputs = hx_list(v.at("Input"));
      const auto blinds = sc_list(v.at("Blind"));
      const auto expected = split(v.at("BlindedElement").get<std::string>());
      ASSERT_EQ(inputs.size(), blinds.size());
      ASSERT_EQ(inputs.size(), expected.size());
      for (std::size_t i = 0; i < inputs.size(); ++i) {
        const blinded_input b = ok(s.blind_with(inputs[i], blinds[i]));
        EXPECT_EQ(b.element.hex(), expected[i]);
        EXPECT_EQ(b.blind, blinds[i]);
        ++checked;
      }
    }
  }
  EXPECT_EQ(checked, 2 + 1 + 1 + 2);
}

TEST_F(Voprf, OprfBlindEvaluateMatchesRfcVectors) {
  const json& sj = suite_json(0);
  const key_pair key = derived(oprf_, sj);
  for (const auto& v : sj.at("vectors")) {
    EXPECT_EQ(ok(oprf_.blind_evaluate(key.sk, pt(v.at("BlindedElement")))).hex(),
              v.at("EvaluationElement").get<std::string>());
  }
}

TEST_F(Voprf, VoprfBlindEvaluateReproducesElementsAndProofBytes) {
  const json& sj = suite_json(1);
  const key_pair key = derived(voprf_, sj);
  for (const auto& v : sj.at("vectors")) {
    SCOPED_TRACE(v.at("Input").get<std::string>());
    const auto blinded = pt_list(v.at("BlindedElement"));
    const evaluation ev = ok(voprf_.blind_evaluate_with(key, blinded, sc(v.at("Proof").at("r"))));
    const auto expected = split(v.at("EvaluationElement").get<std::string>());
    ASSERT_EQ(ev.elements.size(), expected.size());
    for (std::size_t i = 0; i < expected.size(); ++i) EXPECT_EQ(ev.elements[i].hex(), expected[i]);
    EXPECT_EQ(to_hex(proof_bytes(ev.dleq)), v.at("Proof").at("proof").get<std::string>());
  }
}

TEST_F(Voprf, OprfFinalizeMatchesRfcVectors) {
  for (const auto& v : suite_json(0).at("vectors")) {
    const auto out = ok(oprf_.finalize(hx(v.at("Input")), sc(v.at("Blind")), pt(v.at("EvaluationElement"))));
    EXPECT_EQ(to_hex(out), v.at("Output").get<std::string>());
  }
}

TEST_F(Voprf, VoprfFinalizeVerifiesProofAndMatchesRfcVectors) {
  const json& sj = suite_json(1);
  const point pk = pt(sj.at("pkSm"));
  for (const auto& v : sj.at("vectors")) {
    SCOPED_TRACE(v.at("Input").get<std::string>());
    const auto outputs =
        ok(voprf_.finalize(hx_list(v.at("Input")), sc_list(v.at("Blind")), pt_list(v.at("EvaluationElement")),
                           pt_list(v.at("BlindedElement")), pk, ok(proof_from_bytes(hx(v.at("Proof").at("proof"))))));
    const auto expected = split(v.at("Output").get<std::string>());
    ASSERT_EQ(outputs.size(), expected.size());
    for (std::size_t i = 0; i < expected.size(); ++i) EXPECT_EQ(to_hex(outputs[i]), expected[i]);
  }
}

TEST_F(Voprf, EvaluateMatchesRfcVectors) {
  int checked = 0;
  for (const mode m : {mode::oprf, mode::voprf}) {
    const suite s(m);
    const json& sj = suite_json(static_cast<int>(m));
    const key_pair key = derived(s, sj);
    for (const auto& v : sj.at("vectors")) {
      const auto inputs = hx_list(v.at("Input"));
      const auto expected = split(v.at("Output").get<std::string>());
      for (std::size_t i = 0; i < inputs.size(); ++i) {
        EXPECT_EQ(to_hex(ok(s.evaluate(key.sk, inputs[i]))), expected[i]);
        ++checked;
      }
    }
  }
  EXPECT_EQ(checked, 6);
}

TEST_F(Voprf, ProverAndVerifierCompositesAgree) {
  const batch b = rfc_batch_of_two();
  const auto slow = ok(voprf_.compute_composites(b.key.pk, b.blinded, b.evaluated));
  const auto fast = ok(voprf_.compute_composites_fast(b.key.sk, b.key.pk, b.blinded, b.evaluated));
  EXPECT_EQ(slow.m, fast.m);
  EXPECT_EQ(slow.z, fast.z);
}

// ---- round trips beyond the vectors --------------------------------------------------------

TEST_F(Voprf, BatchesOfAnySizeRoundTripToEvaluate) {
  const key_pair key = ok(voprf_.derive_key_pair(sha256(as_bytes("round trip key")), as_bytes("info")));
  for (std::size_t m : {1u, 2u, 3u, 7u, 16u}) {
    SCOPED_TRACE(m);
    std::vector<bytes> inputs;
    std::vector<scalar> blinds;
    std::vector<point> blinded;
    for (std::size_t i = 0; i < m; ++i) {
      inputs.push_back(bytes(i, static_cast<byte>(i)));  // the empty input included
      const blinded_input b = ok(voprf_.blind(inputs.back(), rng_));
      blinds.push_back(b.blind);
      blinded.push_back(b.element);
    }
    const evaluation ev = ok(voprf_.blind_evaluate(key, blinded, rng_));
    const auto outputs = ok(voprf_.finalize(inputs, blinds, ev.elements, blinded, key.pk, ev.dleq));
    ASSERT_EQ(outputs.size(), m);
    for (std::size_t i = 0; i < m; ++i) EXPECT_EQ(outputs[i], ok(voprf_.evaluate(key.sk, inputs[i])));
  }
}

TEST_F(Voprf, OutputDoesNotDependOnTheBlind) {
  const key_pair key = generate_key();
  const bytes input = {1, 2, 3};
  const blinded_input a = ok(voprf_.blind(input, rng_));
  const blinded_input b = ok(voprf_.blind(input, rng_));
  EXPECT_NE(a.element, b.element);  // the server cannot link the two requests …
  const evaluation ea = ok(voprf_.blind_evaluate(key, std::span<const point>(&a.element, 1), rng_));
  const evaluation eb = ok(voprf_.blind_evaluate(key, std::span<const point>(&b.element, 1), rng_));
  // … and yet both give the one output.
  EXPECT_EQ(ok(voprf_.finalize(input, a.blind, ea.elements[0])), ok(voprf_.finalize(input, b.blind, eb.elements[0])));
}

TEST_F(Voprf, ModesAreDomainSeparated) {
  const bytes input = {0};
  EXPECT_NE(oprf_.hash_to_group(input), voprf_.hash_to_group(input));
  const auto seed = sha256(as_bytes("one seed"));
  EXPECT_NE(ok(oprf_.derive_key_pair(seed, {})).sk, ok(voprf_.derive_key_pair(seed, {})).sk);
}

TEST_F(Voprf, DeriveKeyPairDependsOnSeedAndInfo) {
  const auto seed = sha256(as_bytes("seed"));
  const key_pair base = ok(voprf_.derive_key_pair(seed, as_bytes("a")));
  EXPECT_NE(base.sk, ok(voprf_.derive_key_pair(seed, as_bytes("b"))).sk);
  EXPECT_NE(base.sk, ok(voprf_.derive_key_pair(sha256(as_bytes("other")), as_bytes("a"))).sk);
  // A trailing zero byte of info counts (the counter byte follows it, not in its place).
  EXPECT_NE(base.sk, ok(voprf_.derive_key_pair(seed, as_bytes(std::string_view("a\0", 2)))).sk);
}

// A source whose first draw is all zeros: RandomScalar must not hand out that zero.
class zero_first_random final : public random_source {
 public:
  void fill(std::span<byte> out) override {
    for (auto& b : out) b = draws_ == 0 ? 0 : 0x42;
    ++draws_;
  }

 private:
  int draws_ = 0;
};

TEST_F(Voprf, RandomScalarsAreNeverZero) {
  zero_first_random blind_source;
  EXPECT_FALSE(ok(voprf_.blind(as_bytes("x"), blind_source)).blind.is_zero());
  const key_pair key = generate_key();
  const point b = ok(voprf_.blind(as_bytes("x"), rng_)).element;
  zero_first_random nonce_source;
  const evaluation ev = ok(voprf_.blind_evaluate(key, std::span<const point>(&b, 1), nonce_source));
  // With r = 0 the proof would be s = −c·k and give the key away.
  EXPECT_NE(ev.dleq.s, -(ev.dleq.c * key.sk));
  EXPECT_TRUE(
      voprf_.verify_proof(point::generator(), key.pk, std::span<const point>(&b, 1), ev.elements, ev.dleq).ok());
}

TEST_F(Voprf, ZeroNonceIsRefused) {
  const key_pair key = generate_key();
  const point b = ok(voprf_.blind(as_bytes("x"), rng_)).element;
  const auto ev = voprf_.blind_evaluate_with(key, std::span<const point>(&b, 1), scalar::zero());
  ASSERT_FALSE(ev.ok());
  EXPECT_EQ(ev.error().code, error::invalid_scalar);
}

TEST_F(Voprf, ZeroBlindIsRefused) {
  const auto b = voprf_.blind_with(as_bytes("x"), scalar::zero());
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.error().code, error::invalid_scalar);
  EXPECT_FALSE(oprf_.finalize(as_bytes("x"), scalar::zero(), point::generator()).ok());
}

// ---- proofs that must fail -----------------------------------------------------------------

TEST_F(Voprf, RejectsProofWithAnyBitFlipped) {
  const batch b = rfc_batch_of_two();
  ASSERT_TRUE(voprf_.verify_proof(point::generator(), b.key.pk, b.blinded, b.evaluated, b.dleq).ok());
  const bytes good = proof_bytes(b.dleq);
  int undecodable = 0;
  for (std::size_t bit = 0; bit < good.size() * 8; ++bit) {
    bytes bad = good;
    bad[bit / 8] ^= static_cast<byte>(1u << (bit % 8));
    const auto p = proof_from_bytes(bad);
    if (!p) {
      ++undecodable;  // a flip that makes c or s ≥ ℓ is refused at decoding
      continue;
    }
    EXPECT_FALSE(voprf_.verify_proof(point::generator(), b.key.pk, b.blinded, b.evaluated, *p).ok()) << "bit " << bit;
    EXPECT_FALSE(voprf_.finalize(b.inputs, b.blinds, b.evaluated, b.blinded, b.key.pk, *p).ok()) << "bit " << bit;
  }
  EXPECT_LT(undecodable, 16);  // only the top bits of each scalar can push it past ℓ
}

TEST_F(Voprf, RejectsProofWithFieldsSwappedOrZeroed) {
  const batch b = rfc_batch_of_two();
  const auto verifies = [&](const proof& p) {
    return voprf_.verify_proof(point::generator(), b.key.pk, b.blinded, b.evaluated, p).ok();
  };
  EXPECT_FALSE(verifies(proof{b.dleq.s, b.dleq.c}));
  EXPECT_FALSE(verifies(proof{b.dleq.c, scalar::zero()}));
  EXPECT_FALSE(verifies(proof{scalar::zero(), b.dleq.s}));
  EXPECT_FALSE(verifies(proof{}));
  EXPECT_FALSE(verifies(proof{-b.dleq.c, -b.dleq.s}));
}

TEST_F(Voprf, RejectsProofForOtherKey) {
  const batch b = rfc_batch_of_two();
  const key_pair other = ok(voprf_.derive_key_pair(sha256(as_bytes("another server")), {}));
  // The RFC's proof, checked against another public key.
  EXPECT_FALSE(voprf_.verify_proof(point::generator(), other.pk, b.blinded, b.evaluated, b.dleq).ok());
  EXPECT_FALSE(voprf_.finalize(b.inputs, b.blinds, b.evaluated, b.blinded, other.pk, b.dleq).ok());
  // A server that evaluates and proves with another key, checked against the published one.
  const evaluation ev = ok(voprf_.blind_evaluate(other, b.blinded, rng_));
  EXPECT_TRUE(voprf_.verify_proof(point::generator(), other.pk, b.blinded, ev.elements, ev.dleq).ok());
  const auto r = voprf_.finalize(b.inputs, b.blinds, ev.elements, b.blinded, b.key.pk, ev.dleq);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, error::invalid_proof);
  // Elements evaluated with another key, proof from the right one.
  EXPECT_FALSE(voprf_.finalize(b.inputs, b.blinds, ev.elements, b.blinded, b.key.pk, b.dleq).ok());
}

TEST_F(Voprf, RejectsProofForAnyChangedElementOfTheStatement) {
  const batch b = rfc_batch_of_two();
  const point other = point::mul_base(scalar::from_u64(12345));
  struct change {
    const char* what;
    std::function<void(point&, point&, std::vector<point>&, std::vector<point>&)> apply;
  };
  const std::vector<change> changes = {
      {"A", [&](point& A, point&, auto&, auto&) { A = other; }},
      {"B", [&](point&, point& B, auto&, auto&) { B = other; }},
      {"C[0]", [&](point&, point&, auto& C, auto&) { C[0] = other; }},
      {"C[1]", [&](point&, point&, auto& C, auto&) { C[1] = other; }},
      {"D[0]", [&](point&, point&, auto&, auto& D) { D[0] = other; }},
      {"D[1]", [&](point&, point&, auto&, auto& D) { D[1] = other; }},
      {"C and D exchanged", [&](point&, point&, auto& C, auto& D) { std::swap(C, D); }},
      {"A and B exchanged", [&](point& A, point& B, auto&, auto&) { std::swap(A, B); }},
  };
  for (const auto& c : changes) {
    point A = point::generator(), B = b.key.pk;
    std::vector<point> C = b.blinded, D = b.evaluated;
    c.apply(A, B, C, D);
    EXPECT_FALSE(voprf_.verify_proof(A, B, C, D, b.dleq).ok()) << c.what;
  }
}

TEST_F(Voprf, RejectsBatchWithOneElementSwapped) {
  const batch b = rfc_batch_of_two();
  // Evaluated elements exchanged between the two requests.
  const std::vector<point> swapped_d = {b.evaluated[1], b.evaluated[0]};
  EXPECT_FALSE(voprf_.verify_proof(point::generator(), b.key.pk, b.blinded, swapped_d, b.dleq).ok());
  EXPECT_FALSE(voprf_.finalize(b.inputs, b.blinds, swapped_d, b.blinded, b.key.pk, b.dleq).ok());
  // Both lists reordered consistently: every pair is still right, but the composite weights
  // depend on the position, so the proof is for the other order only.
  const std::vector<point> swapped_c = {b.blinded[1], b.blinded[0]};
  EXPECT_FALSE(voprf_.verify_proof(point::generator(), b.key.pk, swapped_c, swapped_d, b.dleq).ok());
  // One element replaced by a correct evaluation of another request.
  const blinded_input extra = ok(voprf_.blind(as_bytes("someone else"), rng_));
  const std::vector<point> replaced_c = {b.blinded[0], extra.element};
  const std::vector<point> replaced_d = {b.evaluated[0], b.key.sk * extra.element};
  EXPECT_FALSE(voprf_.verify_proof(point::generator(), b.key.pk, replaced_c, replaced_d, b.dleq).ok());
  // A batch of one cut from the batch of two.
  EXPECT_FALSE(voprf_
                   .verify_proof(point::generator(), b.key.pk, std::span<const point>(b.blinded).first(1),
                                 std::span<const point>(b.evaluated).first(1), b.dleq)
                   .ok());
}

TEST_F(Voprf, RejectsMismatchedBatchSizes) {
  const batch b = rfc_batch_of_two();
  const std::span<const point> one_c = std::span<const point>(b.blinded).first(1);
  const std::span<const point> one_d = std::span<const point>(b.evaluated).first(1);
  const point G = point::generator();

  EXPECT_FALSE(voprf_.verify_proof(G, b.key.pk, b.blinded, one_d, b.dleq).ok());
  EXPECT_FALSE(voprf_.verify_proof(G, b.key.pk, one_c, b.evaluated, b.dleq).ok());
  EXPECT_FALSE(voprf_.compute_composites(b.key.pk, b.blinded, one_d).ok());
  EXPECT_FALSE(voprf_.compute_composites_fast(b.key.sk, b.key.pk, one_c, b.evaluated).ok());
  EXPECT_FALSE(voprf_.generate_proof(b.key.sk, G, b.key.pk, b.blinded, one_d, rng_).ok());

  const std::vector<bytes> one_input(b.inputs.begin(), b.inputs.begin() + 1);
  const std::vector<scalar> one_blind(b.blinds.begin(), b.blinds.begin() + 1);
  const auto code = [&](auto r) { return r.ok() ? std::string("ok") : std::string(to_string(r.error().code)); };
  EXPECT_EQ(code(voprf_.finalize(one_input, b.blinds, b.evaluated, b.blinded, b.key.pk, b.dleq)), "invalid_encoding");
  EXPECT_EQ(code(voprf_.finalize(b.inputs, one_blind, b.evaluated, b.blinded, b.key.pk, b.dleq)), "invalid_encoding");
  EXPECT_EQ(code(voprf_.finalize(b.inputs, b.blinds, one_d, b.blinded, b.key.pk, b.dleq)), "invalid_encoding");
  EXPECT_EQ(code(voprf_.finalize(b.inputs, b.blinds, b.evaluated, one_c, b.key.pk, b.dleq)), "invalid_encoding");
}

TEST_F(Voprf, RejectsEmptyBatches) {
  const key_pair key = generate_key();
  const std::vector<point> none;
  const point G = point::generator();
  EXPECT_FALSE(voprf_.blind_evaluate(key, none, rng_).ok());
  EXPECT_FALSE(voprf_.blind_evaluate_with(key, none, scalar::one()).ok());
  EXPECT_FALSE(voprf_.generate_proof(key.sk, G, key.pk, none, none, rng_).ok());
  EXPECT_FALSE(voprf_.compute_composites(key.pk, none, none).ok());
  // An empty statement would make any Schnorr proof for pk "verify" a batch of nothing.
  EXPECT_FALSE(voprf_.verify_proof(G, key.pk, none, none, proof{}).ok());
  EXPECT_FALSE(voprf_.finalize(std::vector<bytes>{}, std::vector<scalar>{}, none, none, key.pk, proof{}).ok());
}

// Builds the RFC's proof by hand (§2.2.1), without GenerateProof's refusals, so that the tests
// below show VerifyProof refusing the identity even when the proof is otherwise right.
proof hand_made_proof(const suite& s, const scalar& k, const point& A, const point& B, std::span<const point> C,
                      std::span<const point> D, const scalar& r) {
  const auto mz = s.compute_composites(B, C, D).value();
  const point t2 = r * A;
  const point t3 = r * mz.m;
  const scalar c = s.hash_to_scalar(transcript{}
                                        .lp(B.bytes())
                                        .lp(mz.m.bytes())
                                        .lp(mz.z.bytes())
                                        .lp(t2.bytes())
                                        .lp(t3.bytes())
                                        .raw("Challenge")
                                        .view());
  return proof{c, r - c * k};
}

TEST_F(Voprf, RejectsIdentityElementsEvenWithAnOtherwiseValidProof) {
  const key_pair key = generate_key();
  const point G = point::generator();
  const scalar r = scalar::from_u64(99);
  const point c = ok(voprf_.blind(as_bytes("x"), rng_)).element;
  const std::vector<point> C = {c}, D = {key.sk * c};
  // The hand-made proof is the RFC's: it verifies for a proper statement …
  ASSERT_TRUE(voprf_.verify_proof(G, key.pk, C, D, hand_made_proof(voprf_, key.sk, G, key.pk, C, D, r)).ok());
  // … and for the identity pair it would be a valid Schnorr proof for pk, proving nothing.
  const std::vector<point> I = {point::identity()};
  EXPECT_FALSE(voprf_.verify_proof(G, key.pk, I, I, hand_made_proof(voprf_, key.sk, G, key.pk, I, I, r)).ok());
  const std::vector<point> CI = {c, point::identity()}, DI = {D[0], point::identity()};
  EXPECT_FALSE(voprf_.verify_proof(G, key.pk, CI, DI, hand_made_proof(voprf_, key.sk, G, key.pk, CI, DI, r)).ok());
  // An identity public key (k = 0) proves nothing either.
  EXPECT_FALSE(voprf_
                   .verify_proof(G, point::identity(), I, I,
                                 hand_made_proof(voprf_, scalar::zero(), G, point::identity(), I, I, r))
                   .ok());
}

TEST_F(Voprf, RejectsIdentityWhereTheRfcDeserializes) {
  const key_pair key = generate_key();
  const std::vector<point> with_identity = {ok(voprf_.blind(as_bytes("x"), rng_)).element, point::identity()};
  const auto ev = voprf_.blind_evaluate(key, with_identity, rng_);
  ASSERT_FALSE(ev.ok());
  EXPECT_EQ(ev.error().code, error::invalid_point);
  EXPECT_EQ(ev.error().field, "blinded[1]");
  EXPECT_EQ(oprf_.blind_evaluate(key.sk, point::identity()).error().code, error::invalid_point);
  EXPECT_EQ(oprf_.finalize(as_bytes("x"), scalar::one(), point::identity()).error().code, error::invalid_point);
  EXPECT_FALSE(voprf_.generate_proof(key.sk, point::generator(), key.pk, with_identity, with_identity, rng_).ok());

  const batch b = rfc_batch_of_two();
  const std::vector<point> evaluated_identity = {b.evaluated[0], point::identity()};
  EXPECT_EQ(voprf_.finalize(b.inputs, b.blinds, evaluated_identity, b.blinded, b.key.pk, b.dleq).error().code,
            error::invalid_point);
  EXPECT_EQ(voprf_.finalize(b.inputs, b.blinds, b.evaluated, b.blinded, point::identity(), b.dleq).error().code,
            error::invalid_point);
}

TEST_F(Voprf, RejectsInputsLongerThanTwoLengthBytes) {
  const key_pair key = generate_key();
  const bytes longest(65535, 0x61);
  const bytes too_long(65536, 0x61);
  EXPECT_TRUE(voprf_.blind(longest, rng_).ok());
  EXPECT_TRUE(voprf_.evaluate(key.sk, longest).ok());
  EXPECT_EQ(voprf_.blind(too_long, rng_).error().code, error::invalid_encoding);
  EXPECT_EQ(voprf_.blind_with(too_long, scalar::one()).error().code, error::invalid_encoding);
  EXPECT_EQ(voprf_.evaluate(key.sk, too_long).error().code, error::invalid_encoding);
  EXPECT_EQ(voprf_.finalize(too_long, scalar::one(), key.pk).error().code, error::invalid_encoding);
  EXPECT_EQ(voprf_.derive_key_pair(sha256(as_bytes("s")), too_long).error().code, error::invalid_encoding);
  EXPECT_TRUE(voprf_.derive_key_pair(sha256(as_bytes("s")), longest).ok());

  // In a batch, the long input is named.
  const blinded_input ok_input = ok(voprf_.blind(as_bytes("fine"), rng_));
  const evaluation ev = ok(voprf_.blind_evaluate(key, std::span<const point>(&ok_input.element, 1), rng_));
  const auto r = voprf_.finalize(std::vector<bytes>{too_long}, std::vector<scalar>{ok_input.blind}, ev.elements,
                                 std::vector<point>{ok_input.element}, key.pk, ev.dleq);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().field, "inputs[0]");
}

}  // namespace
}  // namespace pingyi::crypto::voprf
