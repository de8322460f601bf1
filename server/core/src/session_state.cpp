// apply: the rules of DESIGN.md §3.6 as one fold. Each record type has one function that checks
// everything first and changes the state only after its last check, so a rejected record leaves
// the state untouched (the server decides with it, replay and the verifier check with it).
#include "pingyi/core/session_state.hpp"

#include <algorithm>
#include <cstring>
#include <set>
#include <string>
#include <utility>

#include "pingyi/core/crypto_error.hpp"
#include "pingyi/crypto/decryption.hpp"
#include "pingyi/crypto/device.hpp"
#include "pingyi/crypto/tally.hpp"
#include "pingyi/crypto/token.hpp"
#include "pingyi/crypto/trustee.hpp"
#include "pingyi/crypto/voprf.hpp"

namespace pingyi::core {

std::string_view to_string(round_phase p) noexcept {
  switch (p) {
    case round_phase::defined:
      return "defined";
    case round_phase::open:
      return "open";
    case round_phase::closed:
      return "closed";
    case round_phase::resulted:
      return "resulted";
    case round_phase::revealed:
      return "revealed";
  }
  return "unknown";
}

std::size_t byte32_hash::operator()(const crypto::byte_array<32>& b) const noexcept {
  // Points, keys and hashes are uniformly distributed; their first bytes are hash enough.
  std::size_t h = 0;
  std::memcpy(&h, b.data(), sizeof h);
  return h;
}

const member_state* session_state::find_member(std::string_view member) const {
  const auto it = member_index.find(member);
  return it == member_index.end() ? nullptr : &members[it->second];
}

const trustee_state* session_state::find_trustee(std::string_view trustee) const {
  for (const auto& t : trustees) {
    if (t.id == trustee) return &t;
  }
  return nullptr;
}

const round_state* session_state::find_round(std::uint32_t n) const {
  return n >= 1 && n <= rounds.size() ? &rounds[n - 1] : nullptr;
}

round_state* session_state::find_round(std::uint32_t n) { return n >= 1 && n <= rounds.size() ? &rounds[n - 1] : nullptr; }

bool session_state::quorum_met(std::uint32_t present_count) const {
  if (!genesis) return false;
  return std::uint64_t{present_count} * genesis->quorum.den > std::uint64_t{members.size()} * genesis->quorum.num;
}

std::vector<contest_shape> shapes_of(const round_body& r) {
  std::vector<contest_shape> out;
  out.reserve(r.contests.size());
  for (const auto& c : r.contests) out.push_back(contest_shape{c.id, c.options, c.min, c.max});
  return out;
}

std::vector<crypto::contest_spec> specs_of(const round_body& r) {
  std::vector<crypto::contest_spec> out;
  out.reserve(r.contests.size());
  for (const auto& c : r.contests) {
    out.push_back(crypto::contest_spec{c.id, static_cast<std::uint16_t>(c.options.size()), c.min, c.max});
  }
  return out;
}

namespace {

using crypto::byte_array;

error bad(std::string field, std::string message) {
  return fail(error_code::bad_request, std::move(field), std::move(message));
}
error forbidden(std::string field, std::string message) {
  return fail(error_code::forbidden, std::move(field), std::move(message));
}
error not_found(std::string field, std::string message) {
  return fail(error_code::not_found, std::move(field), std::move(message));
}

std::string indexed(std::string_view name, std::size_t i) {
  return std::string(name).append("[").append(std::to_string(i)).append("]");
}
std::string round_name(std::uint32_t n) { return std::string("round ").append(std::to_string(n)); }

const crypto::voprf::suite& token_suite() {
  static const crypto::voprf::suite s(crypto::voprf::mode::voprf);
  return s;
}

// The round named by a record that needs it open: ROUND_NOT_OPEN when it is not the open one.
result<round_state*> open_round_named(session_state& s, std::uint32_t n) {
  round_state* r = s.find_round(n);
  if (r == nullptr) return not_found("round", round_name(n).append(" is not defined"));
  if (!s.open_round || *s.open_round != n) {
    return fail(error_code::round_not_open, "round", round_name(n).append(" is not open"));
  }
  return r;
}

// ---- genesis -------------------------------------------------------------------------------

status check_genesis(const genesis_body& g) {
  if (g.protocol != "pingyi/1") return bad("protocol", "must be \"pingyi/1\"");
  if (g.members.empty()) return bad("members", "the roster is empty");
  if (g.members.size() > max_members) return bad("members", "too many members");
  std::set<std::string_view> ids;
  for (std::size_t i = 0; i < g.members.size(); ++i) {
    const auto& id = g.members[i].id;
    if (id.empty() || id.size() > max_id_bytes) return bad(indexed("members", i).append(".id"), "must be 1 to 64 bytes");
    if (id == "server") return bad(indexed("members", i).append(".id"), "\"server\" is the server's trustee id");
    if (!ids.insert(id).second) return bad(indexed("members", i).append(".id"), "appears twice in the roster");
  }
  std::set<std::string_view> scrutineers;
  for (std::size_t i = 0; i < g.scrutineers.size(); ++i) {
    const auto& id = g.scrutineers[i];
    if (!ids.contains(id)) return bad(indexed("scrutineers", i), "is not a member of the roster");
    if (!scrutineers.insert(id).second) return bad(indexed("scrutineers", i), "appears twice");
  }
  // present·den > members·num must be reachable: num < den.
  if (g.quorum.num == 0 || g.quorum.den == 0 || g.quorum.num >= g.quorum.den) {
    return bad("quorum", "must have 0 < num < den");
  }
  if (g.token_key.is_identity()) return fail(error_code::invalid_point, "token_key", "must not be the identity");
  return {};
}

status apply_genesis(session_state& s, const genesis_body& g, const crypto::chain_hash& hash) {
  if (auto st = check_genesis(g); !st) return st;
  s.id = hash;
  s.genesis = g;
  s.members.clear();
  s.member_index.clear();
  s.members.reserve(g.members.size());
  for (std::size_t i = 0; i < g.members.size(); ++i) {
    s.members.push_back(member_state{g.members[i].id, std::nullopt, 0, false});
    s.member_index.emplace(g.members[i].id, i);
  }
  return {};
}

// ---- key ceremony --------------------------------------------------------------------------

status apply_trustee(session_state& s, const trustee_body& t) {
  if (s.election_key) return forbidden("id", "the election key is sealed: no trustee may be added");
  const auto& g = *s.genesis;
  std::string expected_name;
  if (t.id == "server") {
    expected_name = "server";
  } else if (std::find(g.scrutineers.begin(), g.scrutineers.end(), t.id) != g.scrutineers.end()) {
    expected_name = s.genesis->members[s.member_index.find(t.id)->second].name;
  } else {
    return forbidden("id", "is neither \"server\" nor a scrutineer of genesis");
  }
  if (s.find_trustee(t.id) != nullptr) return forbidden("id", "already has a trustee key");
  if (t.name != expected_name) return bad("name", std::string("must be \"").append(expected_name).append("\""));
  if (auto st = crypto::verify_trustee_key(s.id, t.id, t.key, t.proof); !st) return from_crypto(st.error());
  s.trustees.push_back(trustee_state{t.id, t.key});
  return {};
}

status apply_election_key(session_state& s, const election_key_body& e) {
  if (s.election_key) return forbidden("type", "the election key is already sealed");
  // Every trustee of genesis must have published its key: the server and each scrutineer.
  if (s.find_trustee("server") == nullptr) return forbidden("trustees", "the server has no trustee key");
  for (const auto& id : s.genesis->scrutineers) {
    if (s.find_trustee(id) == nullptr) {
      return forbidden("trustees", std::string("scrutineer ").append(id).append(" has no trustee key"));
    }
  }
  std::set<std::string_view> listed;
  for (std::size_t i = 0; i < e.trustees.size(); ++i) {
    if (s.find_trustee(e.trustees[i]) == nullptr) return not_found(indexed("trustees", i), "has no trustee record");
    if (!listed.insert(e.trustees[i]).second) return bad(indexed("trustees", i), "appears twice");
  }
  if (listed.size() != s.trustees.size()) return bad("trustees", "must list every trustee recorded");
  std::vector<crypto::point> keys;
  keys.reserve(s.trustees.size());
  for (const auto& t : s.trustees) keys.push_back(t.key);
  if (crypto::election_key(keys) != e.key) return bad("key", "is not the sum of the trustees' keys");
  s.election_key = e.key;
  return {};
}

// ---- rounds and attendance -----------------------------------------------------------------

status apply_round(session_state& s, const round_body& r) {
  if (r.round != s.rounds.size() + 1) {
    return bad("round", std::string("must be ").append(std::to_string(s.rounds.size() + 1)));
  }
  if (kind_of(r.rule) != r.kind) return bad("rule", "is not a rule of this kind of round");
  if (r.contests.size() > max_contests) return bad("contests", "too many contests");
  std::set<std::string_view> ids;
  for (std::size_t k = 0; k < r.contests.size(); ++k) {
    const auto& c = r.contests[k];
    const auto at = indexed("contests", k);
    if (c.id.empty() || c.id.size() > max_id_bytes) return bad(std::string(at).append(".id"), "must be 1 to 64 bytes");
    if (!ids.insert(c.id).second) return bad(std::string(at).append(".id"), "appears twice in the round");
    if (c.options.size() > max_options) return bad(std::string(at).append(".options"), "too many options");
    if (c.max > c.options.size()) return bad(std::string(at).append(".max"), "must not exceed the number of options");
    if (c.min > c.max) return bad(std::string(at).append(".min"), "must not exceed max");
  }
  auto shapes = shapes_of(r);
  if (auto st = validate_rule(r.rule, shapes); !st) return st;
  round_state rs;
  rs.definition = r;
  rs.shapes = std::move(shapes);
  rs.specs = specs_of(r);
  s.rounds.push_back(std::move(rs));
  return {};
}

status apply_check_in(session_state& s, const check_in_body& c, std::uint64_t seq, const apply_options& options) {
  const auto it = s.member_index.find(c.member);
  if (it == s.member_index.end()) return not_found("member", "is not on the roster");
  auto& m = s.members[it->second];
  if (m.present && m.device_key == c.device_key) return bad("member", "is already checked in with this device key");
  if (auto st = options.signatures_checked ? crypto::status{} : crypto::verify_checkin(c.device_key, s.id, c.member, c.sig);
      !st) {
    // Ed25519 names no field; an id too long for lp() comes back as "member".
    const auto& f = st.error();
    return from_crypto(crypto::fail(f.code, f.field.empty() ? "sig" : f.field));
  }
  m.device_key = c.device_key;
  m.check_in_seq = seq;
  if (!m.present) {
    m.present = true;
    ++s.present;
  }
  return {};
}

status apply_check_out(session_state& s, const check_out_body& c) {
  const auto it = s.member_index.find(c.member);
  if (it == s.member_index.end()) return not_found("member", "is not on the roster");
  auto& m = s.members[it->second];
  if (!m.present) return forbidden("member", "is not checked in");
  m.present = false;
  --s.present;
  return {};
}

status apply_round_opened(session_state& s, const round_opened_body& o) {
  round_state* r = s.find_round(o.round);
  if (r == nullptr) return not_found("round", round_name(o.round).append(" is not defined"));
  if (!s.election_key) return forbidden("round", "the election key is not sealed");
  if (r->phase != round_phase::defined) {
    return forbidden("round", round_name(o.round).append(" was opened before"));
  }
  if (s.open_round) return forbidden("round", round_name(*s.open_round).append(" is open"));
  if (o.present != s.present) {
    return bad("present", std::string("must be ").append(std::to_string(s.present)).append(", the members checked in"));
  }
  if (!s.quorum_met(o.present)) {
    return fail(error_code::quorum_not_met, "present",
                std::to_string(o.present).append(" present of ").append(std::to_string(s.members.size())));
  }
  r->phase = round_phase::open;
  r->present_at_open = o.present;
  r->sums.clear();
  r->alphas.clear();
  for (const auto& c : r->definition.contests) {
    r->sums.emplace_back(c.options.size(), crypto::ciphertext{});
    r->alphas.emplace_back();
  }
  s.open_round = o.round;
  return {};
}

// ---- tokens and ballots --------------------------------------------------------------------

status apply_token(session_state& s, const token_body& t, const apply_options& options) {
  auto r = open_round_named(s, t.round);
  if (!r) return r.error();
  round_state& rs = **r;
  const member_state* m = s.find_member(t.member);
  if (m == nullptr) return not_found("member", "is not on the roster");
  if (!m->present || !m->device_key) return forbidden("member", "is not checked in");
  if (rs.tokens.contains(t.member)) {
    return fail(error_code::already_issued, "member", std::string("already holds a token in ").append(round_name(t.round)));
  }
  if (t.blinded.is_identity()) return fail(error_code::invalid_point, "blinded", "must not be the identity");
  if (t.evaluated.is_identity()) return fail(error_code::invalid_point, "evaluated", "must not be the identity");
  if (!options.signatures_checked) {
    if (auto st = crypto::verify_token_request(*m->device_key, s.id, t.round, t.blinded, t.request_sig); !st) {
      return from_crypto(crypto::fail(st.error().code, "request_sig"));
    }
    const crypto::point blinded[1] = {t.blinded};
    const crypto::point evaluated[1] = {t.evaluated};
    if (auto st = token_suite().verify_proof(crypto::point::generator(), s.genesis->token_key, blinded, evaluated, t.proof);
        !st) {
      return from_crypto(crypto::fail(st.error().code, "proof"));
    }
  }
  rs.tokens.emplace(t.member, issued_token{*m->device_key, t.blinded, t.evaluated, t.proof});
  return {};
}

crypto::ballot as_cast(const ballot_body& b) {
  return crypto::ballot{b.round, b.vk, b.token, b.contests, b.sig};
}

status apply_ballot(session_state& s, const ballot_body& b, std::uint64_t seq, const crypto::chain_hash& hash,
                    const apply_options& options) {
  auto r = open_round_named(s, b.round);
  if (!r) return r.error();
  round_state& rs = **r;
  if (s.spent_vks.contains(b.vk.bytes())) return fail(error_code::token_spent, "vk", "has already cast a ballot");
  if (rs.ballots >= rs.tokens.size()) {
    return fail(error_code::invalid_token, "token",
                std::string("more ballots than tokens issued in ").append(round_name(b.round)));
  }
  // The shape, so that α can be compared contest by contest; verify_ballot checks it again.
  if (b.contests.size() != rs.specs.size()) {
    return bad("contests", std::string("must hold ").append(std::to_string(rs.specs.size())).append(" contests"));
  }
  for (std::size_t k = 0; k < b.contests.size(); ++k) {
    const auto at = indexed("contests", k);
    if (b.contests[k].id != rs.specs[k].id) return bad(std::string(at).append(".id"), "is not the round's contest");
    if (b.contests[k].selections.size() != rs.specs[k].options) {
      return bad(std::string(at).append(".selections"), "must hold one selection per option");
    }
  }
  // §3.3: no α accepted before in this round and contest, none twice within the ballot.
  for (std::size_t k = 0; k < b.contests.size(); ++k) {
    const auto& sel = b.contests[k].selections;
    for (std::size_t i = 0; i < sel.size(); ++i) {
      const auto& alpha = sel[i].ct.alpha.bytes();
      bool repeated = rs.alphas[k].contains(alpha);
      for (std::size_t j = 0; j < i && !repeated; ++j) repeated = sel[j].ct.alpha.bytes() == alpha;
      if (repeated) {
        return fail(error_code::duplicate_ciphertext,
                    indexed("contests", k).append(".").append(indexed("selections", i)).append(".alpha"),
                    "repeats a ciphertext already cast");
      }
    }
  }
  const crypto::ballot cast = as_cast(b);
  if (!options.ballot_proofs_checked) {
    const auto t = crypto::token_point(s.id, b.round, b.vk);
    if (auto st = crypto::verify_token(s.genesis->token_key, t, b.token, b.token_proof); !st) {
      return fail(error_code::invalid_token, "token_proof", "the token is not an evaluation by the session's token key");
    }
    if (auto st = crypto::verify_ballot(s.id, *s.election_key, rs.specs, cast); !st) return from_crypto(st.error());
  }
  s.spent_vks.emplace(b.vk.bytes(), spent_token{seq, hash, crypto::ballot_digest(s.id, cast), b.sig});
  for (std::size_t k = 0; k < b.contests.size(); ++k) {
    const auto& sel = b.contests[k].selections;
    for (std::size_t i = 0; i < sel.size(); ++i) {
      rs.alphas[k].insert(sel[i].ct.alpha.bytes());
      rs.sums[k][i] = rs.sums[k][i] + sel[i].ct;
    }
  }
  ++rs.ballots;
  return {};
}

// ---- closing, decryption, result -----------------------------------------------------------

status apply_round_closed(session_state& s, const round_closed_body& c, const crypto::chain_hash& hash,
                          const apply_options& options) {
  auto r = open_round_named(s, c.round);
  if (!r) return r.error();
  round_state& rs = **r;
  const auto must_be = [](std::uint64_t v, std::string_view what) {
    return std::string("must be ").append(std::to_string(v)).append(what);
  };
  if (c.present != s.present) return bad("present", must_be(s.present, ", the members checked in"));
  if (c.tokens != rs.tokens.size()) return bad("tokens", must_be(rs.tokens.size(), ", the tokens issued"));
  if (c.ballots != rs.ballots) return bad("ballots", must_be(rs.ballots, ", the ballots accepted"));
  for (std::size_t i = 0; i < c.voted.size(); ++i) {
    const auto at = indexed("voted", i);
    const auto& d = c.voted[i];
    if (i > 0 && !(c.voted[i - 1].member < d.member)) {
      return bad(std::string(at).append(".member"), "must be sorted by member id, each member once");
    }
    if (s.find_member(d.member) == nullptr) return not_found(std::string(at).append(".member"), "is not on the roster");
    const auto t = rs.tokens.find(d.member);
    if (t == rs.tokens.end()) {
      return forbidden(std::string(at).append(".member"), std::string("holds no token in ").append(round_name(c.round)));
    }
    if (options.signatures_checked) continue;
    if (auto st = crypto::verify_voted(t->second.device_key, s.id, c.round, d.sig); !st) {
      return from_crypto(crypto::fail(st.error().code, std::string(at).append(".sig")));
    }
  }
  if (c.ballots == 0) {
    if (!c.sums.empty()) return bad("sums", "must be empty when there are no ballots");
  } else {
    if (c.sums.size() != rs.sums.size()) return bad("sums", "must hold one entry per contest");
    for (std::size_t k = 0; k < c.sums.size(); ++k) {
      const auto at = indexed("sums", k);
      if (c.sums[k].id != rs.definition.contests[k].id) return bad(std::string(at).append(".id"), "is not the round's contest");
      if (c.sums[k].options.size() != rs.sums[k].size()) {
        return bad(std::string(at).append(".options"), "must hold one sum per option");
      }
      for (std::size_t i = 0; i < rs.sums[k].size(); ++i) {
        if (c.sums[k].options[i] != rs.sums[k][i]) {
          return bad(std::string(at).append(".").append(indexed("options", i)),
                     "is not the sum of the round's ballots");
        }
      }
    }
  }
  rs.phase = round_phase::closed;
  rs.closed = c;
  rs.closed_hash = hash;
  rs.declarations.clear();
  std::vector<byte32_set>().swap(rs.alphas);
  if (c.ballots == 0) {
    std::vector<std::vector<std::uint32_t>> zero;
    for (const auto& contest : rs.definition.contests) zero.emplace_back(contest.options.size(), 0u);
    rs.counts = std::move(zero);
  }
  s.open_round.reset();
  return {};
}

// The counts, once every trustee's shares are known: M = B − Σ D_t = count·G (§3.4).
result<std::vector<std::vector<std::uint32_t>>> recover_counts(
    const round_state& rs, const std::map<std::string, std::vector<std::vector<crypto::point>>, std::less<>>& all) {
  const crypto::count_table table(rs.closed->ballots);
  std::vector<std::vector<std::uint32_t>> counts;
  std::vector<crypto::point> shares;
  for (std::size_t k = 0; k < rs.sums.size(); ++k) {
    counts.emplace_back();
    for (std::size_t i = 0; i < rs.sums[k].size(); ++i) {
      shares.clear();
      for (const auto& [trustee, d] : all) shares.push_back(d[k][i]);
      auto count = table.find(crypto::combine_shares(rs.sums[k][i].beta, shares));
      if (!count) {
        return fail(error_code::internal, indexed("shares", k).append(".").append(indexed("options", i)),
                    "the shares do not decrypt to a count within the ballots");
      }
      counts.back().push_back(*count);
    }
  }
  return counts;
}

status apply_decryption(session_state& s, const decryption_body& d) {
  round_state* rs = s.find_round(d.round);
  if (rs == nullptr) return not_found("round", round_name(d.round).append(" is not defined"));
  if (rs->phase != round_phase::closed) {
    return forbidden("round", round_name(d.round).append(" is ").append(to_string(rs->phase)).append(", not closed"));
  }
  if (rs->closed->ballots == 0) return forbidden("round", round_name(d.round).append(" has no ballots to decrypt"));
  const trustee_state* t = s.find_trustee(d.trustee);
  if (t == nullptr) return not_found("trustee", "is not a trustee of the session");
  if (rs->decryptions.contains(d.trustee)) {
    return forbidden("trustee", std::string("has already decrypted ").append(round_name(d.round)));
  }
  if (d.shares.size() != rs->sums.size()) return bad("shares", "must hold one entry per contest");
  std::vector<std::vector<crypto::point>> points;
  points.reserve(d.shares.size());
  for (std::size_t k = 0; k < d.shares.size(); ++k) {
    const auto at = indexed("shares", k);
    const auto& contest_id = rs->definition.contests[k].id;
    if (d.shares[k].id != contest_id) return bad(std::string(at).append(".id"), "is not the round's contest");
    if (d.shares[k].options.size() != rs->sums[k].size()) {
      return bad(std::string(at).append(".options"), "must hold one share per option");
    }
    points.emplace_back();
    for (std::size_t i = 0; i < rs->sums[k].size(); ++i) {
      const auto& share = d.shares[k].options[i];
      const crypto::share_context ctx{s.id, rs->closed_hash, d.round, contest_id, static_cast<std::uint16_t>(i),
                                      d.trustee};
      if (auto st = crypto::verify_share(ctx, t->key, rs->sums[k][i].alpha, crypto::decryption_share{share.share, share.proof});
          !st) {
        return from_crypto(crypto::fail(st.error().code, "proof"), std::string(at).append(".").append(indexed("options", i)));
      }
      points.back().push_back(share.share);
    }
  }
  if (rs->decryptions.size() + 1 == s.trustees.size()) {
    auto all = rs->decryptions;
    all.emplace(d.trustee, points);
    auto counts = recover_counts(*rs, all);
    if (!counts) return counts.error();
    rs->decryptions = std::move(all);
    rs->counts = std::move(counts).value();
  } else {
    rs->decryptions.emplace(d.trustee, std::move(points));
  }
  return {};
}

status apply_result(session_state& s, const result_body& b) {
  round_state* rs = s.find_round(b.round);
  if (rs == nullptr) return not_found("round", round_name(b.round).append(" is not defined"));
  if (rs->phase != round_phase::closed) {
    return forbidden("round", round_name(b.round).append(" is ").append(to_string(rs->phase)).append(", not closed"));
  }
  if (!rs->counts) {
    std::string waiting;
    for (const auto& t : s.trustees) {
      if (!rs->decryptions.contains(t.id)) waiting.append(waiting.empty() ? "" : ", ").append(t.id);
    }
    return forbidden("round", std::string("decryption is incomplete: waiting for ").append(waiting));
  }
  const auto& closed = *rs->closed;
  const std::int64_t undeclared = std::int64_t{closed.ballots} - static_cast<std::int64_t>(closed.voted.size());
  if (b.ballots != closed.ballots) return bad("ballots", "must equal round_closed.ballots");
  if (b.present != closed.present) return bad("present", "must equal round_closed.present");
  if (b.undeclared != undeclared) return bad("undeclared", "must equal ballots − declarations");
  auto expected = compute_results(rs->definition.rule, rs->shapes,
                                  round_totals{static_cast<std::uint32_t>(s.members.size()), closed.present,
                                               closed.ballots, *rs->counts});
  if (!expected) return expected.error();
  if (b.contests.size() != expected->size()) return bad("contests", "must hold one result per contest");
  for (std::size_t k = 0; k < b.contests.size(); ++k) {
    if (b.contests[k] != (*expected)[k]) {
      return bad(indexed("contests", k), "is not what the decrypted counts and the round's rule give");
    }
  }
  rs->phase = round_phase::resulted;
  rs->result = b;
  return {};
}

status apply_revealed(session_state& s, const revealed_body& b) {
  round_state* rs = s.find_round(b.round);
  if (rs == nullptr) return not_found("round", round_name(b.round).append(" is not defined"));
  if (rs->phase != round_phase::resulted) {
    return forbidden("round", round_name(b.round).append(" has no result to reveal, or was revealed"));
  }
  rs->phase = round_phase::revealed;
  return {};
}

status apply_adjourned(session_state& s) {
  if (s.open_round) return forbidden("type", round_name(*s.open_round).append(" is open"));
  s.adjourned = true;
  return {};
}

status apply_body(session_state& s, const record& r, const crypto::chain_hash& hash, const apply_options& options) {
  return std::visit(
      [&](const auto& b) -> status {
        using body = std::decay_t<decltype(b)>;
        if constexpr (std::is_same_v<body, genesis_body>) {
          return apply_genesis(s, b, hash);
        } else if constexpr (std::is_same_v<body, trustee_body>) {
          return apply_trustee(s, b);
        } else if constexpr (std::is_same_v<body, election_key_body>) {
          return apply_election_key(s, b);
        } else if constexpr (std::is_same_v<body, round_body>) {
          return apply_round(s, b);
        } else if constexpr (std::is_same_v<body, check_in_body>) {
          return apply_check_in(s, b, r.seq, options);
        } else if constexpr (std::is_same_v<body, check_out_body>) {
          return apply_check_out(s, b);
        } else if constexpr (std::is_same_v<body, round_opened_body>) {
          return apply_round_opened(s, b);
        } else if constexpr (std::is_same_v<body, token_body>) {
          return apply_token(s, b, options);
        } else if constexpr (std::is_same_v<body, ballot_body>) {
          return apply_ballot(s, b, r.seq, hash, options);
        } else if constexpr (std::is_same_v<body, round_closed_body>) {
          return apply_round_closed(s, b, hash, options);
        } else if constexpr (std::is_same_v<body, decryption_body>) {
          return apply_decryption(s, b);
        } else if constexpr (std::is_same_v<body, result_body>) {
          return apply_result(s, b);
        } else if constexpr (std::is_same_v<body, revealed_body>) {
          return apply_revealed(s, b);
        } else {
          static_assert(std::is_same_v<body, adjourned_body>);
          return apply_adjourned(s);
        }
      },
      r.body);
}

}  // namespace

status apply(session_state& s, const record& r, const crypto::chain_hash& line_hash, const apply_options& options) {
  if (s.adjourned) return forbidden("type", "the session is adjourned: nothing follows adjourned");
  if (r.seq != s.length) return bad("seq", std::string("must be ").append(std::to_string(s.length)));
  if (r.prev != s.head) return bad("prev", "is not the hash of the previous record");
  if (!is_record_time(r.time)) return bad("time", "must be YYYY-MM-DDTHH:MM:SS.mmmZ");
  // The fixed-width format orders as text; a chain's clock never runs backwards.
  if (r.time < s.last_time) return bad("time", "is before the previous record's time");
  const bool is_genesis = std::holds_alternative<genesis_body>(r.body);
  if (is_genesis != (s.length == 0)) {
    return bad("type", s.length == 0 ? "record 0 must be genesis" : "genesis may only be record 0");
  }
  if (auto st = apply_body(s, r, line_hash, options); !st) return st;
  ++s.length;
  s.head = line_hash;
  s.last_time = r.time;
  return {};
}

status apply_line(session_state& s, std::string_view line) {
  auto r = decode(line);
  if (!r) return r.error();
  return apply(s, *r, crypto::line_hash(line));
}

status accept_declaration(session_state& s, std::uint32_t round, std::string_view member, const crypto::signature& sig) {
  auto r = open_round_named(s, round);
  if (!r) return r.error();
  round_state& rs = **r;
  if (s.find_member(member) == nullptr) return not_found("member", "is not on the roster");
  const auto t = rs.tokens.find(member);
  if (t == rs.tokens.end()) return forbidden("member", std::string("holds no token in ").append(round_name(round)));
  if (auto st = crypto::verify_voted(t->second.device_key, s.id, round, sig); !st) {
    return from_crypto(crypto::fail(st.error().code, "sig"));
  }
  rs.declarations.insert_or_assign(std::string(member), sig);
  return {};
}

}  // namespace pingyi::core
