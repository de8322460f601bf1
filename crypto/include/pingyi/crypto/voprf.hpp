// RFC 9497 OPRF (mode 0x00) and VOPRF (mode 0x01) over ristretto255-SHA512, exactly as the RFC
// specifies (§3.2 DeriveKeyPair, §3.3 protocols, §2.2 GenerateProof / VerifyProof /
// ComputeComposites), so that the RFC's test vectors pass byte for byte. pingyi uses the VOPRF
// for its one-time voting tokens (DESIGN.md §3.2; see token.hpp).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "pingyi/crypto/bytes.hpp"
#include "pingyi/crypto/point.hpp"
#include "pingyi/crypto/proof.hpp"
#include "pingyi/crypto/random.hpp"
#include "pingyi/crypto/result.hpp"
#include "pingyi/crypto/scalar.hpp"

namespace pingyi::crypto::voprf {

enum class mode : std::uint8_t { oprf = 0x00, voprf = 0x01 };

struct key_pair {
  scalar sk;
  point pk;
};

struct blinded_input {
  scalar blind;
  point element;  // blindedElement = blind · HashToGroup(input)
};

// The VOPRF server's answer to a batch: one evaluated element per blinded element, and one
// proof for the whole batch.
struct evaluation {
  std::vector<point> elements;
  proof dleq;
};

// One ciphersuite instance: contextString = "OPRFV1-" ‖ I2OSP(mode, 1) ‖ "-ristretto255-SHA512".
class suite {
 public:
  explicit suite(mode m);

  [[nodiscard]] const bytes& context_string() const noexcept { return context_; }
  [[nodiscard]] mode protocol_mode() const noexcept { return mode_; }

  // HashToGroup with DST "HashToGroup-" ‖ contextString; HashToScalar with "HashToScalar-" ‖ ….
  [[nodiscard]] point hash_to_group(byte_view input) const;
  [[nodiscard]] scalar hash_to_scalar(byte_view msg) const;

  // Every input longer than 65,535 bytes is refused (invalid_encoding): the RFC length-prefixes
  // inputs with two bytes. Batches must be non-empty and their lists equally long
  // (invalid_encoding), and no element may be the identity (invalid_point): the RFC's
  // DeserializeElement refuses it, and these functions take elements already decoded.

  // §3.2.1. Fails (out_of_range) if no non-zero scalar is found in 256 tries.
  [[nodiscard]] result<key_pair> derive_key_pair(const byte_array<32>& seed, byte_view info) const;

  // §3.3.1 Blind. Fails (invalid_point) when the input hashes to the identity (the RFC's
  // InvalidInputError), and (invalid_scalar) for a zero blind.
  [[nodiscard]] result<blinded_input> blind(byte_view input, random_source& rng) const;
  [[nodiscard]] result<blinded_input> blind_with(byte_view input, const scalar& blind) const;

  // §3.3.1 (OPRF) BlindEvaluate: sk · blinded.
  [[nodiscard]] result<point> blind_evaluate(const scalar& sk, const point& blinded) const;
  // §3.3.2 (VOPRF) BlindEvaluate for a batch, with its proof; r is the proof's nonce.
  [[nodiscard]] result<evaluation> blind_evaluate(const key_pair& key, std::span<const point> blinded,
                                                  random_source& rng) const;
  [[nodiscard]] result<evaluation> blind_evaluate_with(const key_pair& key, std::span<const point> blinded,
                                                       const scalar& r) const;

  // §3.3.1 (OPRF) Finalize: Hash(lp(input) ‖ lp(blind⁻¹ · evaluated) ‖ "Finalize").
  [[nodiscard]] result<byte_array<64>> finalize(byte_view input, const scalar& blind, const point& evaluated) const;
  // §3.3.2 (VOPRF) Finalize for a batch: verifies the proof first; fails with invalid_proof.
  [[nodiscard]] result<std::vector<byte_array<64>>> finalize(std::span<const bytes> inputs,
                                                             std::span<const scalar> blinds,
                                                             std::span<const point> evaluated,
                                                             std::span<const point> blinded, const point& pk,
                                                             const proof& dleq) const;

  // §3.3.1 Evaluate: the server's direct evaluation, Hash(lp(input) ‖ lp(sk · H(input)) ‖ "Finalize").
  [[nodiscard]] result<byte_array<64>> evaluate(const scalar& sk, byte_view input) const;

  // §2.2.1. Proves that log_A(B) = log_C[i](D[i]) = k for every i, with nonce r (non-zero).
  [[nodiscard]] result<proof> generate_proof(const scalar& k, const point& A, const point& B,
                                             std::span<const point> C, std::span<const point> D,
                                             const scalar& r) const;
  [[nodiscard]] result<proof> generate_proof(const scalar& k, const point& A, const point& B,
                                             std::span<const point> C, std::span<const point> D,
                                             random_source& rng) const;
  // §2.2.2. Fails with invalid_proof, whatever is wrong: also when C and D differ in length or
  // are empty, or when any element is the identity.
  [[nodiscard]] status verify_proof(const point& A, const point& B, std::span<const point> C,
                                    std::span<const point> D, const proof& dleq) const;

  // §2.2.1 ComputeComposites (the verifier's) and ComputeCompositesFast (the prover's, Z = k·M).
  // Fail (invalid_encoding) when C and D differ in length or are empty.
  struct composites {
    point m;
    point z;
  };
  [[nodiscard]] result<composites> compute_composites(const point& B, std::span<const point> C,
                                                      std::span<const point> D) const;
  [[nodiscard]] result<composites> compute_composites_fast(const scalar& k, const point& B,
                                                           std::span<const point> C,
                                                           std::span<const point> D) const;

 private:
  [[nodiscard]] byte_array<64> finalize_hash(byte_view input, const point& element) const;
  [[nodiscard]] scalar challenge(const point& B, const composites& mz, const point& t2, const point& t3) const;

  mode mode_;
  bytes context_;
  bytes group_dst_;
  bytes scalar_dst_;
};

}  // namespace pingyi::crypto::voprf
