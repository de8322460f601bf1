// pingyi's one-time voting tokens on top of the RFC 9497 VOPRF (DESIGN.md §3.2): the token input
// bound to session, round and the ballot's ephemeral key vk; the server's issuance and
// redemption check; the proof every observer verifies; and the tablet's unblinding.
#pragma once

#include <cstdint>

#include "pingyi/crypto/bytes.hpp"
#include "pingyi/crypto/ed25519.hpp"
#include "pingyi/crypto/point.hpp"
#include "pingyi/crypto/proof.hpp"
#include "pingyi/crypto/random.hpp"
#include "pingyi/crypto/result.hpp"
#include "pingyi/crypto/session_id.hpp"
#include "pingyi/crypto/voprf.hpp"

namespace pingyi::crypto {

// input = "pingyi-v1-token" ‖ session_id ‖ I2OSP(round, 4) ‖ vk
[[nodiscard]] bytes token_input(const session_id& sid, std::uint32_t round, const verify_key& vk);
// T = HashToGroup(input) with the RFC's DST "HashToGroup-" ‖ contextString (mode 0x01).
[[nodiscard]] point token_point(const session_id& sid, std::uint32_t round, const verify_key& vk);

// The server's token key (skT, pkT): random, or derived for tests and vectors.
[[nodiscard]] voprf::key_pair generate_token_key(random_source& rng);

// Tablet, step 1: blind the token input (B = blind · T). Fails only if T is the identity.
[[nodiscard]] result<voprf::blinded_input> blind_token(const session_id& sid, std::uint32_t round,
                                                       const verify_key& vk, random_source& rng);

// Server, step 2: Z = skT · B with the RFC proof for a batch of one. B must come from
// point::decode_non_identity (DESIGN.md §3); for the identity the answer is the identity with a
// zero proof, which unblind_token refuses, never a usable token.
[[nodiscard]] voprf::evaluation issue_token(const voprf::key_pair& token_key, const point& blinded,
                                            random_source& rng);

// Tablet, step 2: verify the proof against pkT from genesis, then N = blind⁻¹ · Z. Fails with
// invalid_point for an identity pk, B or Z, and invalid_proof when the proof is not for pkT.
[[nodiscard]] result<point> unblind_token(const point& pk, const voprf::blinded_input& request,
                                          const point& evaluated, const proof& dleq);

// Server, step 3: N == skT · T in constant time (fails with invalid_proof otherwise, and with
// invalid_point for an identity T or N) …
[[nodiscard]] status check_token(const scalar& sk, const point& token_point, const point& token);
// … and the proof it attaches to the ballot record: GenerateProof(skT, G, pkT, [T], [N]). Call it
// after check_token passed; for an identity T or N it returns a zero proof that never verifies.
[[nodiscard]] proof prove_token(const voprf::key_pair& token_key, const point& token_point, const point& token,
                                random_source& rng);
// Any observer: VerifyProof(G, pkT, [T], [N], proof). Fails with invalid_point for an identity
// pk, T or N, and invalid_proof otherwise.
[[nodiscard]] status verify_token(const point& pk, const point& token_point, const point& token, const proof& dleq);

}  // namespace pingyi::crypto
