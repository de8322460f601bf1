// Ballots (DESIGN.md §3.3; see ballot.hpp): building and signing one from the tablet's choices,
// and everything the server and any observer check of one without the token key.
#include "pingyi/crypto/ballot.hpp"

#include <sodium.h>

#include <algorithm>
#include <numeric>
#include <optional>
#include <string>

#include "pingyi/crypto/range_proof.hpp"

namespace pingyi::crypto {

namespace {

// Field names for failures ("contests[1].selections[2].proof"), built only once something has
// failed, never on the path of a valid ballot.
std::string contest_field(std::size_t k) { return "contests[" + std::to_string(k) + "]"; }
std::string selection_field(std::size_t k, std::size_t i) {
  return contest_field(k) + ".selections[" + std::to_string(i) + "]";
}

// hi − lo + 1 of a contest's limit proof; 0 when the spec is impossible (min > max) or asks for
// more values than a range proof may hold (range_proof.hpp's max_range_values).
std::size_t limit_width(const contest_spec& spec) noexcept {
  if (spec.min > spec.max) return 0;
  const std::uint64_t width = std::uint64_t{spec.max} - spec.min + 1;
  return width > max_range_values ? 0 : static_cast<std::size_t>(width);
}

// ballot_ctx ‖ I2OSP(option, 2), written over the last two bytes of a buffer that already
// holds ballot_ctx and two spare bytes, so each selection's context costs no allocation.
void set_option(bytes& ctx, std::uint16_t option) noexcept {
  ctx[ctx.size() - 2] = static_cast<byte>(option >> 8);
  ctx[ctx.size() - 1] = static_cast<byte>(option);
}

bytes context_with_option_slot(const session_id& sid, std::uint32_t round, std::string_view contest_id,
                               const verify_key& vk) {
  bytes ctx = ballot_context(sid, round, contest_id, vk);
  ctx.resize(ctx.size() + 2);
  return ctx;
}

// The repeated-α rule of §3.3 within one contest: the index of the first selection whose α
// equals that of an earlier one, or none. Sorting keeps it O(n log n) for any option count.
std::optional<std::size_t> first_repeated_alpha(const std::vector<selection>& selections,
                                                std::vector<std::size_t>& order) {
  order.resize(selections.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    const auto& pa = selections[a].ct.alpha.bytes();
    const auto& pb = selections[b].ct.alpha.bytes();
    return pa != pb ? pa < pb : a < b;
  });
  std::optional<std::size_t> first;
  for (std::size_t n = 1; n < order.size(); ++n) {
    if (selections[order[n]].ct.alpha == selections[order[n - 1]].ct.alpha) {
      first = first ? std::min(*first, order[n]) : order[n];
    }
  }
  return first;
}

class digest_writer {
 public:
  digest_writer() { crypto_hash_sha512_init(&state_); }
  void raw(byte_view b) { crypto_hash_sha512_update(&state_, b.data(), b.size()); }
  void scalars(const std::vector<scalar>& list) {
    for (const auto& s : list) raw(s.bytes());
  }
  byte_array<64> finish() {
    byte_array<64> out{};
    crypto_hash_sha512_final(&state_, out.data());
    return out;
  }

 private:
  crypto_hash_sha512_state state_{};
};

}  // namespace

bytes ballot_context(const session_id& sid, std::uint32_t round, std::string_view contest_id, const verify_key& vk) {
  transcript t;
  t.raw(sid).u32(round).lp(contest_id).raw(vk.bytes());
  return std::move(t).take();
}

bytes selection_context(byte_view ballot_ctx, std::uint16_t option) {
  transcript t;
  t.raw(ballot_ctx).u16(option);
  return std::move(t).take();
}

// §3.3's digest, hashed as it is written rather than assembled in memory first: a 100-contest
// ballot is tens of kilobytes.
byte_array<64> ballot_digest(const session_id& sid, const ballot& b) {
  digest_writer d;
  d.raw(as_bytes("pingyi-v1-ballot"));
  d.raw(sid);
  const byte round[4] = {static_cast<byte>(b.round >> 24), static_cast<byte>(b.round >> 16),
                         static_cast<byte>(b.round >> 8), static_cast<byte>(b.round)};
  d.raw(round);
  d.raw(b.vk.bytes());
  for (const auto& contest : b.contests) {
    // lp(contest_id); verify_ballot refuses ids too long for the two-byte prefix.
    const byte len[2] = {static_cast<byte>(contest.id.size() >> 8), static_cast<byte>(contest.id.size())};
    d.raw(len);
    d.raw(as_bytes(contest.id));
    for (const auto& sel : contest.selections) {
      d.raw(sel.ct.alpha.bytes());
      d.raw(sel.ct.beta.bytes());
      d.scalars(sel.proof.c);
      d.scalars(sel.proof.s);
    }
    d.scalars(contest.limit_proof.c);
    d.scalars(contest.limit_proof.s);
  }
  return d.finish();
}

result<ballot> build_ballot(const session_id& sid, std::uint32_t round, const signing_key& ske, const point& token,
                            const point& election_key, std::span<const contest_spec> specs,
                            const ballot_choices& choices, random_source& rng) {
  // Every choice is checked before anything is drawn: a refused ballot consumes no randomness.
  if (choices.size() != specs.size()) return fail(error::out_of_range, "contests");
  for (std::size_t k = 0; k < specs.size(); ++k) {
    const contest_spec& spec = specs[k];
    if (spec.id.size() > max_contest_id_bytes) return fail(error::out_of_range, contest_field(k) + ".id");
    if (choices[k].size() != spec.options) return fail(error::out_of_range, contest_field(k) + ".selections");
    std::uint64_t chosen = 0;
    for (std::size_t i = 0; i < choices[k].size(); ++i) {
      if (choices[k][i] > 1) return fail(error::out_of_range, selection_field(k, i));
      chosen += choices[k][i];
    }
    if (limit_width(spec) == 0 || chosen < spec.min || chosen > spec.max) {
      return fail(error::out_of_range, contest_field(k));
    }
  }

  ballot b;
  b.round = round;
  b.vk = ske.public_key();
  b.token = token;
  b.contests.reserve(specs.size());
  for (std::size_t k = 0; k < specs.size(); ++k) {
    const contest_spec& spec = specs[k];
    bytes ctx = context_with_option_slot(sid, round, spec.id, b.vk);
    contest_ballot contest;
    contest.id = spec.id;
    contest.selections.reserve(spec.options);
    ciphertext sum;  // (Σα, Σβ), starting from the identity
    scalar r_sum;    // Σr
    std::uint32_t count = 0;
    for (std::uint16_t i = 0; i < spec.options; ++i) {
      const std::uint8_t v = choices[k][i];
      const scalar r = scalar::random_non_zero(rng);
      const ciphertext ct = encrypt(v, r, election_key);
      set_option(ctx, i);
      auto proof = prove_range(ctx, election_key, ct, v, r, 0, 1, rng);
      if (!proof) return nest(selection_field(k, i) + ".proof", proof.error());
      sum = sum + ct;
      r_sum += r;
      count += v;
      contest.selections.push_back(selection{ct, std::move(*proof)});
    }
    set_option(ctx, limit_option);
    auto limit = prove_range(ctx, election_key, sum, count, r_sum, spec.min, spec.max, rng);
    if (!limit) return nest(contest_field(k) + ".limit_proof", limit.error());
    contest.limit_proof = std::move(*limit);
    b.contests.push_back(std::move(contest));
  }
  b.sig = ske.sign(ballot_digest(sid, b));
  return b;
}

// Three passes, cheapest first, so that a malformed ballot costs no group operation and each
// failure names the most specific field: (1) shape against the specs and the points themselves;
// (2) every 0/1 proof, then the contest's limit proof; (3) the signature. The signature comes
// last because it covers everything: checked first, it would hide which part was wrong, and it
// guards nothing, since whoever holds ske signs what they like.
status verify_ballot(const session_id& sid, const point& election_key, std::span<const contest_spec> specs,
                     const ballot& b) {
  if (b.contests.size() != specs.size()) return fail(error::invalid_encoding, "contests");

  std::vector<std::size_t> order;  // scratch for the repeated-α check, reused across contests
  for (std::size_t k = 0; k < specs.size(); ++k) {
    const contest_spec& spec = specs[k];
    const contest_ballot& contest = b.contests[k];
    if (contest.id != spec.id) return fail(error::invalid_encoding, contest_field(k) + ".id");
    if (contest.id.size() > max_contest_id_bytes) return fail(error::out_of_range, contest_field(k) + ".id");
    const std::size_t width = limit_width(spec);
    if (width == 0) return fail(error::out_of_range, contest_field(k));
    if (contest.selections.size() != spec.options) {
      return fail(error::invalid_encoding, contest_field(k) + ".selections");
    }
    for (std::size_t i = 0; i < contest.selections.size(); ++i) {
      const selection& sel = contest.selections[i];
      if (sel.ct.alpha.is_identity()) return fail(error::invalid_point, selection_field(k, i) + ".alpha");
      if (sel.ct.beta.is_identity()) return fail(error::invalid_point, selection_field(k, i) + ".beta");
      if (sel.proof.c.size() != 2 || sel.proof.s.size() != 2) {
        return fail(error::invalid_proof, selection_field(k, i) + ".proof");
      }
    }
    if (contest.limit_proof.c.size() != width || contest.limit_proof.s.size() != width) {
      return fail(error::invalid_proof, contest_field(k) + ".limit_proof");
    }
    if (auto repeated = first_repeated_alpha(contest.selections, order)) {
      return fail(error::invalid_point, selection_field(k, *repeated) + ".alpha");
    }
  }

  for (std::size_t k = 0; k < specs.size(); ++k) {
    const contest_spec& spec = specs[k];
    const contest_ballot& contest = b.contests[k];
    bytes ctx = context_with_option_slot(sid, b.round, contest.id, b.vk);
    ciphertext sum;
    for (std::size_t i = 0; i < contest.selections.size(); ++i) {
      const selection& sel = contest.selections[i];
      set_option(ctx, static_cast<std::uint16_t>(i));
      if (auto ok = verify_range(ctx, election_key, sel.ct, 0, 1, sel.proof); !ok) {
        return nest(selection_field(k, i) + ".proof", ok.error());
      }
      sum = sum + sel.ct;
    }
    set_option(ctx, limit_option);
    if (auto ok = verify_range(ctx, election_key, sum, spec.min, spec.max, contest.limit_proof); !ok) {
      return nest(contest_field(k) + ".limit_proof", ok.error());
    }
  }

  if (!verify(b.vk, ballot_digest(sid, b), b.sig)) return fail(error::invalid_signature, "sig");
  return {};
}

}  // namespace pingyi::crypto
