// RFC 9497 OPRF and VOPRF over ristretto255-SHA512 (see voprf.hpp). Each function names the RFC
// section it follows; the RFC's Appendix A.1 vectors pin every byte (tests/unit/crypto/voprf_test.cpp).
#include "pingyi/crypto/voprf.hpp"

#include <sodium.h>

#include <string>
#include <string_view>
#include <utility>

#include "pingyi/crypto/hash.hpp"

namespace pingyi::crypto::voprf {

namespace {

// RFC 9497 length-prefixes every input with I2OSP(len, 2) (Finalize's hashInput, DeriveKeyPair's
// info), so a longer one cannot be encoded.
constexpr std::size_t max_input_size = 65535;

// §3.2.1: DeriveKeyPair tries counters 0 … 255.
constexpr unsigned derive_attempts = 256;

bytes concat(std::string_view prefix, byte_view rest) {
  transcript t;
  t.raw(prefix).raw(rest);
  return std::move(t).take();
}

bytes context_string_of(mode m) {
  transcript t;
  t.raw("OPRFV1-").u8(static_cast<std::uint8_t>(m)).raw("-ristretto255-SHA512");  // I2OSP(mode, 1) in the middle
  return std::move(t).take();
}

std::string indexed(const char* name, std::size_t i) { return std::string(name) + "[" + std::to_string(i) + "]"; }

// The first identity element of a list, named for the failure; the RFC's DeserializeElement
// refuses the identity, and our callers hand us elements they decoded themselves.
status non_identity(std::span<const point> elements, const char* name) {
  for (std::size_t i = 0; i < elements.size(); ++i) {
    if (elements[i].is_identity()) return fail(error::invalid_point, indexed(name, i));
  }
  return {};
}

// §2.2.1 ComputeCompositesFast and §2.2.2 ComputeComposites share their weights:
//   seed = Hash(lp(Bm) ‖ lp("Seed-" ‖ contextString))
//   d_i  = HashToScalar(lp(seed) ‖ I2OSP(i, 2) ‖ lp(C_i) ‖ lp(D_i) ‖ "Composite")
//   M = Σ d_i·C_i, and Z = Σ d_i·D_i (or k·M, when the prover knows k).
// I2OSP(i, 2) bounds a batch at 65,536 elements.
result<std::vector<scalar>> composite_weights(const suite& s, const point& B, std::span<const point> C,
                                              std::span<const point> D) {
  if (C.empty() || C.size() != D.size() || C.size() > 65536) return fail(error::invalid_encoding, "batch");
  const bytes seed_dst = concat("Seed-", s.context_string());
  const byte_array<64> seed = sha512(transcript{}.lp(B.bytes()).lp(seed_dst).view());

  std::vector<scalar> d;
  d.reserve(C.size());
  for (std::size_t i = 0; i < C.size(); ++i) {
    transcript composite;
    composite.reserve(2 + seed.size() + 2 + 2 * (2 + point::size) + 9);
    composite.lp(seed).u16(static_cast<std::uint16_t>(i)).lp(C[i].bytes()).lp(D[i].bytes()).raw("Composite");
    d.push_back(s.hash_to_scalar(composite.view()));
  }
  return d;
}

// Wipes a buffer that held secret bytes (the key seed) when it goes out of scope.
class wiped_bytes {
 public:
  explicit wiped_bytes(bytes b) : b_(std::move(b)) {}
  wiped_bytes(const wiped_bytes&) = delete;
  wiped_bytes& operator=(const wiped_bytes&) = delete;
  ~wiped_bytes() { sodium_memzero(b_.data(), b_.size()); }
  [[nodiscard]] bytes& get() noexcept { return b_; }

 private:
  bytes b_;
};

}  // namespace

// §3.1 and §4.1: contextString = "OPRFV1-" ‖ I2OSP(mode, 1) ‖ "-" ‖ "ristretto255-SHA512".
suite::suite(mode m)
    : mode_(m),
      context_(context_string_of(m)),
      group_dst_(concat("HashToGroup-", context_)),
      scalar_dst_(concat("HashToScalar-", context_)) {}

// §4.1: HashToGroup is hash_to_ristretto255 (RFC 9380 Appendix B) with expand_message_xmd
// SHA-512; HashToScalar reduces 64 expanded bytes modulo ℓ.
point suite::hash_to_group(byte_view input) const { return crypto::hash_to_group(input, group_dst_); }

scalar suite::hash_to_scalar(byte_view msg) const { return crypto::hash_to_scalar(msg, scalar_dst_); }

// §3.2.1 DeriveKeyPair: deriveInput = seed ‖ I2OSP(len(info), 2) ‖ info, then
// skS = HashToScalar(deriveInput ‖ I2OSP(counter, 1), DST = "DeriveKeyPair" ‖ contextString)
// for counter = 0, 1, … until skS ≠ 0.
result<key_pair> suite::derive_key_pair(const byte_array<32>& seed, byte_view info) const {
  if (info.size() > max_input_size) return fail(error::invalid_encoding, "info");
  const bytes dst = concat("DeriveKeyPair", context_);
  // Built in place (not through a transcript) so that the one copy of the seed is wiped.
  wiped_bytes derive_input(bytes{});
  bytes& d = derive_input.get();
  d.reserve(seed.size() + 2 + info.size() + 1);
  d.insert(d.end(), seed.begin(), seed.end());
  d.push_back(static_cast<byte>(info.size() >> 8));
  d.push_back(static_cast<byte>(info.size()));
  d.insert(d.end(), info.begin(), info.end());
  d.push_back(0);
  for (unsigned counter = 0; counter < derive_attempts; ++counter) {
    d.back() = static_cast<byte>(counter);
    scalar sk = crypto::hash_to_scalar(d, dst);
    if (!sk.is_zero()) return key_pair{sk, point::mul_base(sk)};
  }
  return fail(error::out_of_range, "seed");  // the RFC's DeriveKeyPairError
}

// §3.3.1 Blind. RandomScalar is non-zero: a zero blind has no inverse to unblind with, and would
// send the identity as blindedElement.
result<blinded_input> suite::blind(byte_view input, random_source& rng) const {
  if (input.size() > max_input_size) return fail(error::invalid_encoding, "input");
  return blind_with(input, scalar::random_non_zero(rng));
}

result<blinded_input> suite::blind_with(byte_view input, const scalar& blind) const {
  if (input.size() > max_input_size) return fail(error::invalid_encoding, "input");
  if (blind.is_zero()) return fail(error::invalid_scalar, "blind");
  const point input_element = hash_to_group(input);
  if (input_element.is_identity()) return fail(error::invalid_point, "input");  // InvalidInputError
  return blinded_input{blind, blind * input_element};
}

// §3.3.1 (OPRF) BlindEvaluate.
result<point> suite::blind_evaluate(const scalar& sk, const point& blinded) const {
  if (blinded.is_identity()) return fail(error::invalid_point, "blinded");
  return sk * blinded;
}

// §3.3.2 (VOPRF) BlindEvaluate, batched as the RFC's Appendix A.1 "Batch" vectors are: each
// element evaluated with skS, one proof GenerateProof(skS, G, pkS, blinded, evaluated).
result<evaluation> suite::blind_evaluate(const key_pair& key, std::span<const point> blinded,
                                         random_source& rng) const {
  if (blinded.empty()) return fail(error::invalid_encoding, "blinded");
  if (auto s = non_identity(blinded, "blinded"); !s) return s.error();
  return blind_evaluate_with(key, blinded, scalar::random_non_zero(rng));
}

result<evaluation> suite::blind_evaluate_with(const key_pair& key, std::span<const point> blinded,
                                              const scalar& r) const {
  if (blinded.empty()) return fail(error::invalid_encoding, "blinded");
  if (auto s = non_identity(blinded, "blinded"); !s) return s.error();
  evaluation out;
  out.elements.reserve(blinded.size());
  for (const point& b : blinded) out.elements.push_back(key.sk * b);
  auto dleq = generate_proof(key.sk, point::generator(), key.pk, blinded, out.elements, r);
  if (!dleq) return dleq.error();
  out.dleq = *dleq;
  return out;
}

// §3.3.1 Finalize: hashInput = lp(input) ‖ lp(SerializeElement(N)) ‖ "Finalize".
byte_array<64> suite::finalize_hash(byte_view input, const point& element) const {
  transcript h;
  h.reserve(2 + input.size() + 2 + point::size + 8);
  h.lp(input).lp(element.bytes()).raw("Finalize");
  return sha512(h.view());
}

result<byte_array<64>> suite::finalize(byte_view input, const scalar& blind, const point& evaluated) const {
  if (input.size() > max_input_size) return fail(error::invalid_encoding, "input");
  if (evaluated.is_identity()) return fail(error::invalid_point, "evaluated");
  auto inverse = blind.invert();
  if (!inverse) return fail(error::invalid_scalar, "blind");
  return finalize_hash(input, *inverse * evaluated);
}

// §3.3.2 Finalize, for a whole batch: VerifyProof(G, pkS, blinded, evaluated, proof) once, then
// each output as in the OPRF.
result<std::vector<byte_array<64>>> suite::finalize(std::span<const bytes> inputs, std::span<const scalar> blinds,
                                                    std::span<const point> evaluated, std::span<const point> blinded,
                                                    const point& pk, const proof& dleq) const {
  const std::size_t m = inputs.size();
  if (m == 0) return fail(error::invalid_encoding, "inputs");
  if (blinds.size() != m) return fail(error::invalid_encoding, "blinds");
  if (evaluated.size() != m) return fail(error::invalid_encoding, "evaluated");
  if (blinded.size() != m) return fail(error::invalid_encoding, "blinded");
  if (pk.is_identity()) return fail(error::invalid_point, "pk");
  if (auto s = non_identity(evaluated, "evaluated"); !s) return s.error();
  if (auto s = non_identity(blinded, "blinded"); !s) return s.error();
  for (std::size_t i = 0; i < m; ++i) {
    if (inputs[i].size() > max_input_size) return fail(error::invalid_encoding, indexed("inputs", i));
    if (blinds[i].is_zero()) return fail(error::invalid_scalar, indexed("blinds", i));
  }
  if (auto s = verify_proof(point::generator(), pk, blinded, evaluated, dleq); !s) return s.error();

  std::vector<byte_array<64>> outputs;
  outputs.reserve(m);
  for (std::size_t i = 0; i < m; ++i) {
    auto out = finalize(inputs[i], blinds[i], evaluated[i]);
    if (!out) return nest(indexed("inputs", i), out.error());  // unreachable after the checks above
    outputs.push_back(*out);
  }
  return outputs;
}

// §3.3.1 Evaluate (the same in both modes): the output a client would get through Blind,
// BlindEvaluate and Finalize.
result<byte_array<64>> suite::evaluate(const scalar& sk, byte_view input) const {
  if (input.size() > max_input_size) return fail(error::invalid_encoding, "input");
  const point input_element = hash_to_group(input);
  if (input_element.is_identity()) return fail(error::invalid_point, "input");  // InvalidInputError
  return finalize_hash(input, sk * input_element);
}

result<suite::composites> suite::compute_composites(const point& B, std::span<const point> C,
                                                    std::span<const point> D) const {
  auto d = composite_weights(*this, B, C, D);
  if (!d) return d.error();
  composites mz;
  for (std::size_t i = 0; i < C.size(); ++i) {
    mz.m += (*d)[i] * C[i];
    mz.z += (*d)[i] * D[i];
  }
  return mz;
}

result<suite::composites> suite::compute_composites_fast(const scalar& k, const point& B, std::span<const point> C,
                                                         std::span<const point> D) const {
  auto d = composite_weights(*this, B, C, D);
  if (!d) return d.error();
  composites mz;
  for (std::size_t i = 0; i < C.size(); ++i) mz.m += (*d)[i] * C[i];
  mz.z = k * mz.m;
  return mz;
}

// §2.2.1: c = HashToScalar(lp(Bm) ‖ lp(M) ‖ lp(Z) ‖ lp(t2) ‖ lp(t3) ‖ "Challenge").
scalar suite::challenge(const point& B, const composites& mz, const point& t2, const point& t3) const {
  transcript t;
  t.reserve(5 * (2 + point::size) + 9);
  t.lp(B.bytes()).lp(mz.m.bytes()).lp(mz.z.bytes()).lp(t2.bytes()).lp(t3.bytes()).raw("Challenge");
  return hash_to_scalar(t.view());
}

// §2.2.1 GenerateProof: t2 = r·A, t3 = r·M, c as above, s = r − c·k. A zero r would make
// s = −c·k and so reveal k; it is refused.
result<proof> suite::generate_proof(const scalar& k, const point& A, const point& B, std::span<const point> C,
                                    std::span<const point> D, const scalar& r) const {
  if (r.is_zero()) return fail(error::invalid_scalar, "r");
  if (A.is_identity()) return fail(error::invalid_point, "A");
  if (B.is_identity()) return fail(error::invalid_point, "B");
  if (auto s = non_identity(C, "C"); !s) return s.error();
  if (auto s = non_identity(D, "D"); !s) return s.error();
  auto mz = compute_composites_fast(k, B, C, D);
  if (!mz) return mz.error();
  const point t2 = r * A;
  const point t3 = r * mz->m;
  const scalar c = challenge(B, *mz, t2, t3);
  return proof{c, r - c * k};
}

result<proof> suite::generate_proof(const scalar& k, const point& A, const point& B, std::span<const point> C,
                                    std::span<const point> D, random_source& rng) const {
  return generate_proof(k, A, B, C, D, scalar::random_non_zero(rng));
}

// §2.2.2 VerifyProof: t2 = s·A + c·B, t3 = s·M + c·Z, and the recomputed challenge must be c.
status suite::verify_proof(const point& A, const point& B, std::span<const point> C, std::span<const point> D,
                           const proof& dleq) const {
  if (A.is_identity() || B.is_identity()) return fail(error::invalid_proof);
  if (!non_identity(C, "C") || !non_identity(D, "D")) return fail(error::invalid_proof);
  auto mz = compute_composites(B, C, D);
  if (!mz) return fail(error::invalid_proof);
  const point t2 = dleq.s * A + dleq.c * B;
  const point t3 = dleq.s * mz->m + dleq.c * mz->z;
  // scalar's operator== is constant time.
  if (!(challenge(B, *mz, t2, t3) == dleq.c)) return fail(error::invalid_proof);
  return {};
}

}  // namespace pingyi::crypto::voprf
