// pingyi's one-time voting tokens (DESIGN.md §3.2) on the RFC 9497 VOPRF, mode 0x01 (see token.hpp).
#include "pingyi/crypto/token.hpp"

#include <sodium.h>

#include <span>
#include <utility>

namespace pingyi::crypto {

namespace {

// One suite for every token: the RFC's mode 0x01, whose HashToGroup DST is
// "HashToGroup-OPRFV1-\x01-ristretto255-SHA512". Built once; its methods are const.
const voprf::suite& token_suite() {
  static const voprf::suite s(voprf::mode::voprf);
  return s;
}

}  // namespace

// DESIGN.md §3.2 step 1: input = "pingyi-v1-token" ‖ session_id ‖ I2OSP(round, 4) ‖ vk, with the raw
// 32 bytes of session_id and of vk.
bytes token_input(const session_id& sid, std::uint32_t round, const verify_key& vk) {
  return transcript{}.raw("pingyi-v1-token").raw(sid).u32(round).raw(vk.bytes()).data();
}

point token_point(const session_id& sid, std::uint32_t round, const verify_key& vk) {
  return token_suite().hash_to_group(token_input(sid, round, vk));
}

voprf::key_pair generate_token_key(random_source& rng) {
  scalar sk = scalar::random_non_zero(rng);
  return voprf::key_pair{sk, point::mul_base(sk)};
}

result<voprf::blinded_input> blind_token(const session_id& sid, std::uint32_t round, const verify_key& vk,
                                         random_source& rng) {
  return token_suite().blind(token_input(sid, round, vk), rng);
}

// DESIGN.md §3.2 step 2: Z = skT·B and the RFC proof for a batch of one. B comes from
// point::decode_non_identity (§3: token elements are never the identity); if a caller passes the
// identity anyway, the answer is the identity with a zero proof, which unblind_token refuses on
// both counts, rather than a valid-looking token.
voprf::evaluation issue_token(const voprf::key_pair& token_key, const point& blinded, random_source& rng) {
  auto ev = token_suite().blind_evaluate(token_key, std::span<const point>(&blinded, 1), rng);
  if (!ev) return voprf::evaluation{{point::identity()}, proof{}};
  return std::move(ev).value();
}

// DESIGN.md §3.2 step 2, on the tablet: the proof is checked against pkT from genesis before
// anything is unblinded, so a server that used another key for this member (to tag the
// member's ballot) is caught here.
result<point> unblind_token(const point& pk, const voprf::blinded_input& request, const point& evaluated,
                            const proof& dleq) {
  if (pk.is_identity()) return fail(error::invalid_point, "pk");
  if (request.element.is_identity()) return fail(error::invalid_point, "blinded");
  if (evaluated.is_identity()) return fail(error::invalid_point, "evaluated");
  if (auto s = token_suite().verify_proof(point::generator(), pk, std::span<const point>(&request.element, 1),
                                          std::span<const point>(&evaluated, 1), dleq);
      !s) {
    return fail(error::invalid_proof, "proof");
  }
  auto inverse = request.blind.invert();
  if (!inverse) return fail(error::invalid_scalar, "blind");
  return *inverse * evaluated;
}

// DESIGN.md §3.2 step 3. The comparison is constant time: a timing difference in where N and
// skT·T first differ would let a voter learn skT·T for its own T byte by byte, that is, mint a
// token without asking for one.
status check_token(const scalar& sk, const point& token_point, const point& token) {
  if (token_point.is_identity()) return fail(error::invalid_point, "token_point");
  if (token.is_identity()) return fail(error::invalid_point, "token");
  const point expected = sk * token_point;
  if (sodium_memcmp(expected.bytes().data(), token.bytes().data(), point::size) != 0) {
    return fail(error::invalid_proof, "token");
  }
  return {};
}

// GenerateProof(skT, G, pkT, [T], [N]). Called after check_token passed; for the identity (which
// check_token refuses) it returns a zero proof, which verify_token refuses.
proof prove_token(const voprf::key_pair& token_key, const point& token_point, const point& token, random_source& rng) {
  auto p =
      token_suite().generate_proof(token_key.sk, point::generator(), token_key.pk,
                                   std::span<const point>(&token_point, 1), std::span<const point>(&token, 1), rng);
  return p ? *p : proof{};
}

// VerifyProof(G, pkT, [T], [N], proof): any observer checks a ballot's token without skT.
status verify_token(const point& pk, const point& token_point, const point& token, const proof& dleq) {
  if (pk.is_identity()) return fail(error::invalid_point, "pk");
  if (token_point.is_identity()) return fail(error::invalid_point, "token_point");
  if (token.is_identity()) return fail(error::invalid_point, "token");
  if (auto s = token_suite().verify_proof(point::generator(), pk, std::span<const point>(&token_point, 1),
                                          std::span<const point>(&token, 1), dleq);
      !s) {
    return fail(error::invalid_proof, "token_proof");
  }
  return {};
}

}  // namespace pingyi::crypto
