// The server's side of a session (DESIGN.md §3, §5): builds each record a request calls for and
// appends it only through `apply`, so that nothing the engine returns can fail verification.
#include "pingyi/core/session_engine.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <exception>
#include <set>
#include <utility>

#include "pingyi/core/crypto_error.hpp"
#include "pingyi/core/utf8.hpp"
#include "pingyi/crypto/decryption.hpp"
#include "pingyi/crypto/device.hpp"
#include "pingyi/crypto/token.hpp"

namespace pingyi::core {

namespace {

constexpr std::string_view server_trustee_id = "server";

[[nodiscard]] error bad_request(std::string field, std::string message) {
  return fail(error_code::bad_request, std::move(field), std::move(message));
}

[[nodiscard]] std::string indexed(std::string_view name, std::size_t i) {
  return std::string(name).append("[").append(std::to_string(i)).append("]");
}

[[nodiscard]] std::string field_of(std::string_view outer, std::string_view name) {
  return std::string(outer).append(".").append(name);
}

// The bounds the decoder enforces on ids (record.hpp): what the engine writes must decode.
[[nodiscard]] status check_id(std::string_view s, const std::string& field) {
  if (s.empty() || s.size() > max_id_bytes) return bad_request(field, "must be 1 to 64 bytes");
  if (!is_valid_utf8(s)) return bad_request(field, "must be valid UTF-8");
  return {};
}

[[nodiscard]] status check_text(std::string_view s, const std::string& field) {
  if (s.size() > max_text_bytes) return bad_request(field, "must be at most 1024 bytes");
  if (!is_valid_utf8(s)) return bad_request(field, "must be valid UTF-8");
  return {};
}

// Roster, scrutineers and quorum of a new session (§3.6 genesis), fields named as in the request.
[[nodiscard]] status validate_setup(const session_setup& setup) {
  if (auto s = check_text(setup.title, "title"); !s) return s;
  if (auto s = check_text(setup.committee, "committee"); !s) return s;
  if (auto s = check_text(setup.date, "date"); !s) return s;

  if (setup.members.empty()) return bad_request("members", "the roster must not be empty");
  if (setup.members.size() > max_members) return bad_request("members", "must have at most 10000 members");
  std::set<std::string_view> ids;
  for (std::size_t i = 0; i < setup.members.size(); ++i) {
    const auto& m = setup.members[i];
    const std::string at = indexed("members", i);
    if (auto s = check_id(m.id, field_of(at, "id")); !s) return s;
    // "server" is the server's trustee id (§3.5): a member of that name would be ambiguous.
    if (m.id == server_trustee_id) return bad_request(field_of(at, "id"), "\"server\" is reserved");
    if (!ids.insert(m.id).second) return bad_request(field_of(at, "id"), "appears twice in the roster");
    if (auto s = check_text(m.name, field_of(at, "name")); !s) return s;
    if (auto s = check_text(m.seat, field_of(at, "seat")); !s) return s;
  }

  std::set<std::string_view> scrutineers;
  for (std::size_t i = 0; i < setup.scrutineers.size(); ++i) {
    const auto& id = setup.scrutineers[i];
    const std::string at = indexed("scrutineers", i);
    if (ids.find(id) == ids.end()) return bad_request(at, "is not a member of the roster");
    if (!scrutineers.insert(id).second) return bad_request(at, "appears twice");
  }

  if (setup.quorum.num == 0) return bad_request("quorum.num", "must be positive");
  if (setup.quorum.den == 0) return bad_request("quorum.den", "must be positive");
  // present·den > members·num: with num = den not even a full house would be a quorum.
  if (setup.quorum.num >= setup.quorum.den) return bad_request("quorum.num", "must be less than den");
  return {};
}

// A round's fields with the decoder's bounds and the rule's ranges (§3.7), named relative to the
// round ("contests[1].max").
[[nodiscard]] status validate_round(const round_setup& setup) {
  if (auto s = check_text(setup.title, "title"); !s) return s;
  if (setup.contests.size() > max_contests) return bad_request("contests", "must have at most 100 contests");
  std::set<std::string_view> ids;
  std::vector<contest_shape> shapes;
  shapes.reserve(setup.contests.size());
  for (std::size_t k = 0; k < setup.contests.size(); ++k) {
    const auto& c = setup.contests[k];
    const std::string at = indexed("contests", k);
    if (auto s = check_id(c.id, field_of(at, "id")); !s) return s;
    // Sums, shares and results are matched to contests by id.
    if (!ids.insert(c.id).second) return bad_request(field_of(at, "id"), "appears twice in the round");
    if (auto s = check_text(c.title, field_of(at, "title")); !s) return s;
    if (c.options.size() > max_options) return bad_request(field_of(at, "options"), "must have at most 1000 options");
    for (std::size_t i = 0; i < c.options.size(); ++i) {
      if (auto s = check_text(c.options[i], indexed(field_of(at, "options"), i)); !s) return s;
    }
    if (c.max > c.options.size()) return bad_request(field_of(at, "max"), "must not exceed the number of options");
    if (c.min > c.max) return bad_request(field_of(at, "min"), "must not exceed max");
    shapes.push_back(contest_shape{c.id, c.options, c.min, c.max});
  }
  if (kind_of(setup.rule) != setup.kind) return bad_request("rule", "is not a rule for the round's kind");
  return validate_rule(setup.rule, shapes);
}

// days since 1970-01-01 → civil date (H. Hinnant's algorithm, proleptic Gregorian).
struct civil_date {
  std::int64_t year;
  unsigned month;
  unsigned day;
};

[[nodiscard]] civil_date civil_from_days(std::int64_t days) noexcept {
  const std::int64_t z = days + 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return civil_date{static_cast<std::int64_t>(yoe) + era * 400 + (m <= 2 ? 1 : 0), m, d};
}

void put_digits(std::string& out, std::int64_t v, int width) {
  std::array<char, 8> buf{};
  for (int i = width - 1; i >= 0; --i) {
    buf[static_cast<std::size_t>(i)] = static_cast<char>('0' + v % 10);
    v /= 10;
  }
  out.append(buf.data(), static_cast<std::size_t>(width));
}

[[nodiscard]] crypto::ballot cast_of(const ballot_body& b) {
  return crypto::ballot{b.round, b.vk, b.token, b.contests, b.sig};
}

}  // namespace

// ---- free functions ---------------------------------------------------------------------------

server_keys server_keys::generate(crypto::random_source& rng) {
  return server_keys{crypto::signing_key::generate(rng), crypto::generate_token_key(rng),
                     crypto::generate_trustee_key(rng)};
}

std::int64_t system_clock_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string format_record_time(std::int64_t unix_ms) {
  // 10000-01-01T00:00:00Z is 253402300800 s after the epoch; the format has four year digits.
  constexpr std::int64_t last_ms = 253402300800000 - 1;
  const std::int64_t ms = std::clamp<std::int64_t>(unix_ms, 0, last_ms);
  constexpr std::int64_t day_ms = 86'400'000;
  const std::int64_t days = ms / day_ms;
  const std::int64_t in_day = ms % day_ms;
  const civil_date date = civil_from_days(days);
  std::string out;
  out.reserve(24);
  put_digits(out, date.year, 4);
  out.push_back('-');
  put_digits(out, date.month, 2);
  out.push_back('-');
  put_digits(out, date.day, 2);
  out.push_back('T');
  put_digits(out, in_day / 3'600'000, 2);
  out.push_back(':');
  put_digits(out, in_day / 60'000 % 60, 2);
  out.push_back(':');
  put_digits(out, in_day / 1000 % 60, 2);
  out.push_back('.');
  put_digits(out, in_day % 1000, 3);
  out.push_back('Z');
  return out;
}

result<ballot_body> prepare_ballot(const ballot_check& check, const crypto::ballot& cast, crypto::random_source& rng) {
  if (cast.round != check.round) return fail(error_code::round_not_open, "round", "is not the open round");

  // A replayed ciphertext (§3.3) gets its own code, which verify_ballot would report as a bad
  // point; the cross-ballot check is apply's, against the round's accepted α.
  for (std::size_t k = 0; k < cast.contests.size(); ++k) {
    const auto& selections = cast.contests[k].selections;
    byte32_set seen;
    for (std::size_t i = 0; i < selections.size(); ++i) {
      if (!seen.insert(selections[i].ct.alpha.bytes()).second) {
        return fail(error_code::duplicate_ciphertext,
                    indexed(field_of(indexed("contests", k), "selections"), i).append(".alpha"),
                    "repeats an α of this contest");
      }
    }
  }

  if (auto s = crypto::verify_ballot(check.session, check.election_key, check.specs, cast); !s) {
    return from_crypto(s.error());
  }

  // §3.2 step 3: N == skT·T, then the proof that lets every observer check it without skT.
  const crypto::point t = crypto::token_point(check.session, cast.round, cast.vk);
  if (auto s = crypto::check_token(check.keys->token.sk, t, cast.token); !s) {
    if (s.error().code == crypto::error::invalid_point) {
      return fail(error_code::invalid_point, "token", "must not be the identity");
    }
    return fail(error_code::invalid_token, "token", "is not a token issued for this vk and round");
  }
  crypto::proof token_proof = crypto::prove_token(check.keys->token, t, cast.token, rng);
  return ballot_body{cast.round, cast.vk, cast.token, token_proof, cast.contests, cast.sig};
}

// ---- session_engine ---------------------------------------------------------------------------

session_engine::session_engine(session_state state, std::shared_ptr<const server_keys> keys, clock_function clock,
                               crypto::random_source& rng)
    : state_(std::move(state)), keys_(std::move(keys)), clock_(std::move(clock)), rng_(&rng) {}

result<std::pair<session_engine, std::vector<appended>>> session_engine::create(const session_setup& setup,
                                                                                const std::vector<round_setup>& rounds,
                                                                                server_keys keys, clock_function clock,
                                                                                crypto::random_source& rng) {
  if (auto s = validate_setup(setup); !s) return s.error();
  for (std::size_t k = 0; k < rounds.size(); ++k) {
    if (auto s = validate_round(rounds[k]); !s) return nest(indexed("rounds", k), s.error());
  }

  genesis_body genesis;
  genesis.protocol = "pingyi/1";
  genesis.title = setup.title;
  genesis.committee = setup.committee;
  genesis.date = setup.date;
  rng.fill(genesis.nonce);
  genesis.server_key = keys.signing.public_key();
  genesis.token_key = keys.token.pk;
  genesis.members = setup.members;
  genesis.quorum = setup.quorum;
  genesis.scrutineers = setup.scrutineers;

  session_engine engine(session_state{}, std::make_shared<const server_keys>(std::move(keys)), std::move(clock), rng);
  std::vector<appended> records;
  records.reserve(2 + rounds.size());

  auto first = engine.append(std::move(genesis));
  if (!first) return first.error();
  records.push_back(std::move(*first));

  // The server is always a trustee (§3.5); its proof binds the key to this session's id, which
  // exists only now that genesis is applied.
  const auto& trustee = engine.keys_->trustee;
  trustee_body server{std::string(server_trustee_id), std::string(server_trustee_id), trustee.key,
                      crypto::prove_trustee_key(engine.state_.id, server_trustee_id, trustee, rng)};
  auto second = engine.append(std::move(server));
  if (!second) return second.error();
  records.push_back(std::move(*second));

  for (std::size_t k = 0; k < rounds.size(); ++k) {
    auto r = engine.define_round(rounds[k]);
    if (!r) return nest(indexed("rounds", k), r.error());
    records.push_back(std::move(*r));
  }
  // Even with no scrutineer the key is not sealed here: sealing is the chair's act (§3.5), and
  // the chair is who must see 无监票人 before doing it.
  return std::pair<session_engine, std::vector<appended>>{std::move(engine), std::move(records)};
}

result<session_engine> session_engine::resume(session_state state, server_keys keys, clock_function clock,
                                              crypto::random_source& rng) {
  if (!state.genesis) return bad_request("genesis", "the chain has no genesis");
  if (state.genesis->server_key != keys.signing.public_key()) {
    return bad_request("server_key", "the signing key is not the genesis server_key");
  }
  if (state.genesis->token_key != keys.token.pk || crypto::point::mul_base(keys.token.sk) != keys.token.pk) {
    return bad_request("token_key", "the token key is not the genesis token_key");
  }
  if (crypto::point::mul_base(keys.trustee.x) != keys.trustee.key) {
    return bad_request("trustee", "the trustee secret does not match its key");
  }
  if (const auto* t = state.find_trustee(server_trustee_id); t != nullptr && t->key != keys.trustee.key) {
    return bad_request("trustee", "the trustee key is not the server's trustee record");
  }
  return session_engine(std::move(state), std::make_shared<const server_keys>(std::move(keys)), std::move(clock), rng);
}

crypto::signed_head session_engine::head() const { return sign_head(state_.length - 1, state_.head); }

crypto::signed_head session_engine::sign_head(std::uint64_t seq, const crypto::chain_hash& hash) const {
  return crypto::signed_head{seq, hash, crypto::sign_head(keys_->signing, state_.id, seq, hash)};
}

result<appended> session_engine::append(record_body body, const apply_options& options) {
  // Time never goes backwards on the chain even when the wall clock does (NTP steps, a VM
  // restored): the fixed-width format orders as text exactly as in time.
  std::string time = format_record_time(clock_());
  if (time < state_.last_time) time = state_.last_time;

  record rec{state_.length, state_.head, std::move(time), std::move(body)};
  std::string line;
  try {
    line = encode(rec);
  } catch (const std::exception& e) {
    // Only text the checks above missed can get here (nlohmann refuses invalid UTF-8).
    return bad_request("", std::string("cannot encode the record: ").append(e.what()));
  }
  const crypto::chain_hash hash = crypto::line_hash(line);
  if (auto s = apply(state_, rec, hash, options); !s) return s.error();
  return appended{std::move(rec), std::move(line), hash};
}

result<appended> session_engine::define_round(const round_setup& setup) {
  if (auto s = validate_round(setup); !s) return s.error();
  round_body body{static_cast<std::uint32_t>(state_.rounds.size() + 1), setup.title, setup.kind, setup.contests,
                  setup.rule};
  return append(std::move(body));
}

result<appended> session_engine::add_trustee(std::string_view member, const crypto::point& key,
                                             const crypto::proof& proof) {
  const auto* m = state_.find_member(member);
  if (m == nullptr) return fail(error_code::not_found, "member", "is not on the roster");
  const auto& scrutineers = state_.genesis->scrutineers;
  if (std::find(scrutineers.begin(), scrutineers.end(), member) == scrutineers.end()) {
    return fail(error_code::forbidden, "member", "is not a scrutineer of this session");
  }
  if (key.is_identity()) return fail(error_code::invalid_point, "key", "must not be the identity");
  const auto& roster = state_.genesis->members;
  const auto it = std::find_if(roster.begin(), roster.end(), [&](const core::member& r) { return r.id == member; });
  return append(trustee_body{std::string(member), it->name, key, proof});
}

result<appended> session_engine::seal_election_key() {
  if (state_.election_key) return fail(error_code::forbidden, "", "the election key is already sealed");
  for (const auto& id : state_.genesis->scrutineers) {
    if (state_.find_trustee(id) == nullptr) {
      return fail(error_code::forbidden, "trustees", std::string("scrutineer ").append(id).append(" has no key yet"));
    }
  }
  election_key_body body;
  std::vector<crypto::point> keys;
  for (const auto& t : state_.trustees) {
    body.trustees.push_back(t.id);
    keys.push_back(t.key);
  }
  body.key = crypto::election_key(keys);
  return append(std::move(body));
}

result<std::optional<appended>> session_engine::check_in(std::string_view member, const crypto::verify_key& device_key,
                                                         const crypto::signature& sig) {
  const auto* m = state_.find_member(member);
  if (m == nullptr) return fail(error_code::not_found, "member", "is not on the roster");
  if (auto s = crypto::verify_checkin(device_key, state_.id, member, sig); !s) {
    return fail(error_code::invalid_signature, "sig", "is not the device key's check-in signature");
  }
  // A tablet repeating its hello after a reconnect: the chain already says so.
  if (m->present && m->device_key == device_key) return std::optional<appended>{};
  auto added = append(check_in_body{std::string(member), device_key, sig});
  if (!added) return added.error();
  return std::optional<appended>{std::move(*added)};
}

result<appended> session_engine::check_out(std::string_view member) {
  if (state_.find_member(member) == nullptr) return fail(error_code::not_found, "member", "is not on the roster");
  return append(check_out_body{std::string(member)});
}

result<appended> session_engine::open_round(std::uint32_t round) {
  const auto* r = state_.find_round(round);
  if (r == nullptr) return fail(error_code::not_found, "round", "no such round");
  if (!state_.quorum_met(state_.present)) {
    return fail(error_code::quorum_not_met, "present", "too few members are checked in");
  }
  return append(round_opened_body{round, state_.present});
}

result<appended> session_engine::close_round(std::uint32_t round) {
  const auto* r = state_.find_round(round);
  if (r == nullptr) return fail(error_code::not_found, "round", "no such round");
  if (r->phase != round_phase::open) return fail(error_code::round_not_open, "round", "is not open");

  round_closed_body body;
  body.round = round;
  body.present = state_.present;
  body.tokens = static_cast<std::uint32_t>(r->tokens.size());
  body.ballots = r->ballots;
  // std::map orders std::string keys by bytes: UTF-8 byte order, as §3.2 requires.
  for (const auto& [member, sig] : r->declarations) body.voted.push_back(declaration{member, sig});
  if (r->ballots > 0) {
    for (std::size_t k = 0; k < r->definition.contests.size(); ++k) {
      body.sums.push_back(contest_sums{r->definition.contests[k].id, r->sums[k]});
    }
  }
  return append(std::move(body));
}

result<appended> session_engine::decrypt_round(std::uint32_t round) {
  const auto* r = state_.find_round(round);
  if (r == nullptr) return fail(error_code::not_found, "round", "no such round");
  if (r->phase != round_phase::closed || !r->closed) {
    return fail(error_code::forbidden, "round", "is not closed and awaiting decryption");
  }
  if (r->closed->ballots == 0) return fail(error_code::forbidden, "round", "has no ballots to decrypt");
  if (r->decryptions.count(server_trustee_id) != 0) {
    return fail(error_code::forbidden, "round", "the server has already decrypted it");
  }

  decryption_body body;
  body.round = round;
  body.trustee = std::string(server_trustee_id);
  for (const auto& sums : r->closed->sums) {
    contest_shares shares;
    shares.id = sums.id;
    for (std::size_t i = 0; i < sums.options.size(); ++i) {
      const crypto::share_context ctx{state_.id,        r->closed_hash, round, sums.id, static_cast<std::uint16_t>(i),
                                      server_trustee_id};
      const auto share = crypto::make_share(ctx, keys_->trustee, sums.options[i].alpha, *rng_);
      shares.options.push_back(core::decryption_share{share.share, share.dleq});
    }
    body.shares.push_back(std::move(shares));
  }
  return append(std::move(body));
}

result<appended> session_engine::publish_result(std::uint32_t round) {
  const auto* r = state_.find_round(round);
  if (r == nullptr) return fail(error_code::not_found, "round", "no such round");
  if (r->phase != round_phase::closed || !r->closed) {
    return fail(error_code::forbidden, "round", "is not closed or already has its result");
  }
  if (!r->counts) return fail(error_code::forbidden, "round", "is waiting for decryption shares");

  const auto& closed = *r->closed;
  auto contests = compute_results(r->definition.rule, r->shapes,
                                  round_totals{static_cast<std::uint32_t>(state_.genesis->members.size()),
                                               closed.present, closed.ballots, *r->counts});
  if (!contests) return contests.error();
  result_body body{round, closed.ballots, closed.present,
                   static_cast<std::int64_t>(closed.ballots) - static_cast<std::int64_t>(closed.voted.size()),
                   std::move(*contests)};
  return append(std::move(body));
}

result<appended> session_engine::reveal(std::uint32_t round) {
  if (state_.find_round(round) == nullptr) return fail(error_code::not_found, "round", "no such round");
  return append(revealed_body{round});
}

result<appended> session_engine::adjourn() { return append(adjourned_body{}); }

result<token_reply> session_engine::issue_token(std::string_view member, std::uint32_t round,
                                                const crypto::point& blinded, const crypto::signature& request_sig) {
  const auto* m = state_.find_member(member);
  if (m == nullptr) return fail(error_code::not_found, "member", "is not on the roster");
  const auto* r = state_.find_round(round);
  if (r == nullptr) return fail(error_code::not_found, "round", "no such round");
  if (r->phase != round_phase::open) return fail(error_code::round_not_open, "round", "is not open");
  if (!m->present || !m->device_key) return fail(error_code::forbidden, "member", "is not checked in");

  // A repeat of the request whose reply was lost gets the same answer; any other is a second
  // token, which §3.2 forbids.
  if (const auto it = r->tokens.find(member); it != r->tokens.end()) {
    if (it->second.blinded == blinded) return token_reply{std::nullopt, it->second.evaluated, it->second.proof};
    return fail(error_code::already_issued, "blinded", "the member already holds a token in this round");
  }
  if (blinded.is_identity()) return fail(error_code::invalid_point, "blinded", "must not be the identity");
  if (auto s = crypto::verify_token_request(*m->device_key, state_.id, round, blinded, request_sig); !s) {
    return fail(error_code::invalid_signature, "request_sig", "is not the member's device signature");
  }

  auto evaluation = crypto::issue_token(keys_->token, blinded, *rng_);
  token_body body{round, std::string(member), blinded, request_sig, evaluation.elements.front(), evaluation.dleq};
  auto added = append(body);
  if (!added) return added.error();
  return token_reply{std::move(*added), body.evaluated, body.proof};
}

result<bool> session_engine::accept_declaration(std::string_view member, std::uint32_t round,
                                                const crypto::signature& sig) {
  bool repeat = false;
  if (const auto* r = state_.find_round(round); r != nullptr) {
    const auto it = r->declarations.find(member);
    repeat = it != r->declarations.end() && it->second == sig;
  }
  if (auto s = core::accept_declaration(state_, round, member, sig); !s) return s.error();
  return !repeat;
}

result<ballot_check> session_engine::ballot_check_for(std::uint32_t round) const {
  const auto* r = state_.find_round(round);
  if (r == nullptr || r->phase != round_phase::open || !state_.election_key) {
    return fail(error_code::round_not_open, "round", "is not open");
  }
  return ballot_check{state_.id, round, *state_.election_key, r->specs, keys_};
}

result<std::optional<crypto::signed_head>> session_engine::find_receipt(const crypto::ballot& cast) const {
  const auto it = state_.spent_vks.find(cast.vk.bytes());
  if (it == state_.spent_vks.end()) return std::optional<crypto::signed_head>{};
  if (crypto::ballot_digest(state_.id, cast) != it->second.digest || cast.sig != it->second.sig) {
    return fail(error_code::token_spent, "vk", "this vk has already cast a different ballot");
  }
  return std::optional<crypto::signed_head>{sign_head(it->second.seq, it->second.hash)};
}

result<ballot_reply> session_engine::append_ballot(ballot_body prepared) {
  // The same ballot may have been prepared twice concurrently (a client retrying): the second
  // finds the first's record here.
  auto receipt = find_receipt(cast_of(prepared));
  if (!receipt) return receipt.error();
  if (*receipt) return ballot_reply{std::nullopt, **receipt};

  apply_options options;
  options.ballot_proofs_checked = true;
  auto added = append(std::move(prepared), options);
  if (!added) return added.error();
  crypto::signed_head head = sign_head(added->rec.seq, added->hash);
  return ballot_reply{std::move(*added), head};
}

result<ballot_reply> session_engine::accept_ballot(const crypto::ballot& cast) {
  auto receipt = find_receipt(cast);
  if (!receipt) return receipt.error();
  if (*receipt) return ballot_reply{std::nullopt, **receipt};
  auto check = ballot_check_for(cast.round);
  if (!check) return check.error();
  auto prepared = prepare_ballot(*check, cast, *rng_);
  if (!prepared) return prepared.error();
  return append_ballot(std::move(*prepared));
}

result<appended> session_engine::add_decryption(const decryption_body& shares) {
  if (state_.find_trustee(shares.trustee) == nullptr) {
    return fail(error_code::not_found, "trustee", "is not a trustee of this session");
  }
  const auto* r = state_.find_round(shares.round);
  if (r == nullptr) return fail(error_code::not_found, "round", "no such round");
  // The ids come from a request; the round's ids are known to be valid text, so any other id
  // is refused here rather than by the encoder.
  for (std::size_t k = 0; k < shares.shares.size(); ++k) {
    if (auto s = check_id(shares.shares[k].id, field_of(indexed("shares", k), "id")); !s) return s.error();
  }
  return append(shares);
}

}  // namespace pingyi::core
