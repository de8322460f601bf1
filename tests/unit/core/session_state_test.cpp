// Unit tests of apply (DESIGN.md §3.6): every rule it enforces, one table row each. A row builds
// a valid chain up to where the rule matters, applies a record that breaks the rule, and checks
// the catalogue code, the field named, that the state is exactly what it was, and that the valid
// record is then accepted (so the row proves the violation, not a broken fixture).
#include "pingyi/core/session_state.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <map>
#include <ostream>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "pingyi/core/record.hpp"
#include "pingyi/core/rules.hpp"
#include "pingyi/crypto/ballot.hpp"
#include "pingyi/crypto/chain.hpp"
#include "pingyi/crypto/decryption.hpp"
#include "pingyi/crypto/device.hpp"
#include "pingyi/crypto/hash.hpp"
#include "pingyi/crypto/init.hpp"
#include "pingyi/crypto/random.hpp"
#include "pingyi/crypto/token.hpp"
#include "pingyi/crypto/trustee.hpp"
#include "pingyi/crypto/voprf.hpp"

namespace pingyi::core {
namespace {

using crypto::ciphertext;
using crypto::point;
using crypto::scalar;
using crypto::signature;
using crypto::signing_key;

// A fixture step that cannot fail unless the crypto library is broken: stop at once.
template <class T>
T must(crypto::result<T> r, const char* what) {
  if (!r) {
    ADD_FAILURE() << what << " failed: " << crypto::to_string(r.error().code) << " " << r.error().field;
    std::abort();
  }
  return std::move(r).value();
}

template <class T>
T must(core::result<T> r, const char* what) {
  if (!r) {
    ADD_FAILURE() << what << " failed: " << describe(r.error());
    std::abort();
  }
  return std::move(r).value();
}

signature flipped(const signature& s) {
  auto raw = s.bytes();
  raw[7] ^= 0x01;
  return signature(raw);
}

const crypto::session_id& another_session() {
  static const crypto::session_id id = crypto::sha256(crypto::as_bytes("another session"));
  return id;
}

// Roster m01 … m04; m01 and m02 are scrutineers. "m09" is no member but has a device, so that
// records naming it can be signed properly.
const std::vector<std::string>& tablets() {
  static const std::vector<std::string> ids = {"m01", "m02", "m03", "m04", "m09"};
  return ids;
}

std::string name_of(std::string_view id) {
  if (id == "m01") return "张伟";
  if (id == "m02") return "王芳";
  if (id == "m03") return "李娜";
  if (id == "m04") return "刘洋";
  return std::string(id);  // "server"
}

// The plaintexts the fixture casts in the evaluation round (contests d1, d2).
const crypto::ballot_choices m01_choices = {{1, 0, 0}, {0, 1, 0}};
const crypto::ballot_choices m02_choices = {{0, 1, 0}, {0, 0, 1}};

// What a tablet keeps for a round once it holds a token.
struct voter {
  signing_key device;  // the device key that signed the token request
  signing_key ske;     // the ballot's ephemeral key; vk is its public half
  point token;         // N, unblinded
};

// What the fixture knows of a round independently of apply: the plaintexts behind the sums.
struct round_book {
  round_body definition;
  std::map<std::string, voter, std::less<>> voters;
  std::map<std::string, ballot_body, std::less<>> ballots;  // by the member who cast it
  std::vector<std::vector<ciphertext>> sums;
  std::vector<std::vector<std::uint32_t>> counts;
  std::map<std::string, signature, std::less<>> voted;  // declarations as the tablets signed them
  std::uint32_t present_at_close = 0;
  crypto::chain_hash closed_hash{};
};

struct token_request {
  token_body body;
  signing_key ske;
  crypto::voprf::blinded_input blind;
};

// One session's chain as the tests build it: the state apply folds, every key that signs or
// proves anything in it, and the plaintexts. Body builders (genesis(), token(), ballot() …) make
// a record valid at the point the chain has reached; the verbs (found(), issue(), cast() …) build
// one, apply it and fail the test if apply refuses it. Copyable, so that a prefix is built once.
class chain {
 public:
  chain()
      : server_key_(signing_key::generate(rng_)),
        token_key_(crypto::generate_token_key(rng_)),
        other_token_key_(crypto::generate_token_key(rng_)),
        server_trustee_(crypto::generate_trustee_key(rng_)) {
    for (const auto& id : tablets()) devices_.insert_or_assign(id, signing_key::generate(rng_));
  }

  [[nodiscard]] const session_state& state() const { return s_; }
  [[nodiscard]] const crypto::session_id& sid() const { return s_.id; }
  [[nodiscard]] const std::vector<std::string>& lines() const { return lines_; }
  [[nodiscard]] round_book& book(std::uint32_t round) { return books_[round]; }
  [[nodiscard]] const crypto::voprf::key_pair& token_key() const { return token_key_; }
  [[nodiscard]] const crypto::voprf::key_pair& other_token_key() const { return other_token_key_; }
  [[nodiscard]] const signing_key& device(std::string_view member) const { return devices_.find(member)->second; }
  [[nodiscard]] std::uint32_t present() const { return static_cast<std::uint32_t>(present_.size()); }

  // Record seq n is stamped 09:00:00.000 + n seconds.
  [[nodiscard]] static std::string time_at(std::uint64_t seq) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "2026-11-23T09:%02u:%02u.000Z", static_cast<unsigned>(seq / 60 % 60),
                  static_cast<unsigned>(seq % 60));
    return buf;
  }

  // The envelope of the next record.
  [[nodiscard]] record next(record_body body) const {
    return record{s_.length, s_.head, time_at(s_.length), std::move(body)};
  }

  [[nodiscard]] status apply(const record& r, const apply_options& options = {}) {
    return core::apply(s_, r, crypto::line_hash(encode(r)), options);
  }

  void accept(const record& r) {
    const status st = apply(r);
    EXPECT_TRUE(st.ok()) << "fixture record " << r.seq << " (" << record_type_name(r.body)
                         << ") refused: " << describe(st.error());
    lines_.push_back(encode(r));
  }

  // ---- bodies -------------------------------------------------------------------------------

  [[nodiscard]] genesis_body genesis() const {
    genesis_body g;
    g.protocol = "pingyi/1";
    g.title = "某县人大常委会2026年第十一次会议 述职评议";
    g.committee = "某县人大常委会";
    g.date = "2026-11-23";
    g.nonce = crypto::sha256(crypto::as_bytes("session_state_test nonce"));
    g.server_key = server_key_.public_key();
    g.token_key = token_key_.pk;
    for (const auto& id : {"m01", "m02", "m03", "m04"}) {
      g.members.push_back(member{id, name_of(id), std::string(id).substr(1)});
    }
    g.quorum.num = 1;
    g.quorum.den = 2;
    g.scrutineers = {"m01", "m02"};
    return g;
  }

  // The server's share is random; a scrutineer's comes from its paper recovery code (§3.5).
  [[nodiscard]] crypto::trustee_key trustee_key_of(std::string_view id) const {
    if (id == "server") return server_trustee_;
    const char* code = id == "m01"   ? "0123456789ABCDEFGHJK"
                       : id == "m02" ? "ABCDEFGHJKMNPQRSTVWX"
                       : id == "m03" ? "ZZZZZZZZZZZZZZZZZZZZ"
                                     : "11111111111111111111";
    return must(crypto::trustee_key_from_code(s_.id, code), "trustee key");
  }

  [[nodiscard]] trustee_body trustee(std::string_view id) {
    const auto key = trustee_key_of(id);
    return trustee_body{std::string(id), name_of(id), key.key, crypto::prove_trustee_key(s_.id, id, key, rng_)};
  }

  [[nodiscard]] point key_sum(const std::vector<std::string>& ids) const {
    std::vector<point> keys;
    for (const auto& id : ids) keys.push_back(trustee_key_of(id).key);
    return crypto::election_key(keys);
  }

  [[nodiscard]] election_key_body election_key() const {
    const std::vector<std::string> ids = {"server", "m01", "m02"};
    return election_key_body{ids, key_sum(ids)};
  }

  // Two targets on the default 3-grade scale.
  [[nodiscard]] static round_body evaluation(std::uint32_t n) {
    const std::vector<std::string> scale = {"满意", "基本满意", "不满意"};
    return round_body{n,
                      "对政府组成部门的满意度测评",
                      round_kind::evaluation,
                      {{"d1", "县教育局", scale, 1, 1}, {"d2", "县卫生健康局", scale, 1, 1}},
                      default_rule(round_kind::evaluation, 3)};
  }
  [[nodiscard]] static round_body motion(std::uint32_t n) {
    return round_body{n,
                      "表决",
                      round_kind::motion,
                      {{"m1", "关于县城供水工程的决定", {"赞成", "反对", "弃权"}, 1, 1}},
                      default_rule(round_kind::motion, 3)};
  }
  [[nodiscard]] static round_body selection(std::uint32_t n) {
    return round_body{n,
                      "推选明年述职的部门负责人",
                      round_kind::selection,
                      {{"c1", "述职人选", {"周明", "吴刚", "郑丽", "孙强"}, 0, 2}},
                      default_rule(round_kind::selection, 4)};
  }

  [[nodiscard]] std::vector<crypto::contest_spec> specs(std::uint32_t round) {
    return specs_of(book(round).definition);
  }

  [[nodiscard]] check_in_body check_in(std::string_view member) const {
    const auto& d = device(member);
    return check_in_body{std::string(member), d.public_key(), crypto::sign_checkin(d, s_.id, member)};
  }

  // The member's tablet blinds a fresh vk and signs the request; the server evaluates it.
  [[nodiscard]] token_request token(std::uint32_t round, std::string_view member) {
    const signing_key ske = signing_key::generate(rng_);
    const auto blind = must(crypto::blind_token(s_.id, round, ske.public_key(), rng_), "blind");
    const auto evaluated = crypto::issue_token(token_key_, blind.element, rng_);
    token_body body{round,
                    std::string(member),
                    blind.element,
                    crypto::sign_token_request(device(member), s_.id, round, blind.element),
                    evaluated.elements[0],
                    evaluated.dleq};
    return token_request{std::move(body), ske, blind};
  }

  // A token N for vk evaluated by `key` through the real protocol, with no token record: what a
  // key holder could mint for itself.
  [[nodiscard]] point mint(std::uint32_t round, const crypto::verify_key& vk, const crypto::voprf::key_pair& key) {
    const auto request = must(crypto::blind_token(s_.id, round, vk, rng_), "blind");
    const auto evaluated = crypto::issue_token(key, request.element, rng_);
    return must(crypto::unblind_token(key.pk, request, evaluated.elements[0], evaluated.dleq), "unblind");
  }

  // A ballot built and signed by the tablet, with the server's token proof by `prover`.
  [[nodiscard]] ballot_body ballot_with(std::uint32_t round, const signing_key& ske, const point& token,
                                        const crypto::ballot_choices& choices,
                                        const std::vector<crypto::contest_spec>& specs,
                                        const crypto::voprf::key_pair& prover) {
    const auto b =
        must(crypto::build_ballot(s_.id, round, ske, token, election_key().key, specs, choices, rng_), "build ballot");
    const point t = crypto::token_point(s_.id, round, b.vk);
    return ballot_body{round, b.vk, b.token, crypto::prove_token(prover, t, b.token, rng_), b.contests, b.sig};
  }

  // The ballot of a member who holds a token in the round.
  [[nodiscard]] ballot_body ballot(std::uint32_t round, std::string_view member,
                                   const crypto::ballot_choices& choices) {
    const voter& v = book(round).voters.find(member)->second;
    return ballot_with(round, v.ske, v.token, choices, specs(round), token_key_);
  }

  // A well-formed ballot under a token the server minted without a token record.
  [[nodiscard]] ballot_body minted_ballot(std::uint32_t round, const crypto::ballot_choices& choices) {
    const signing_key ske = signing_key::generate(rng_);
    const point n = mint(round, ske.public_key(), token_key_);
    return ballot_with(round, ske, n, choices, specs(round), token_key_);
  }

  [[nodiscard]] signature voted_sig(std::uint32_t round, std::string_view member) {
    return crypto::sign_voted(book(round).voters.find(member)->second.device, s_.id, round);
  }

  [[nodiscard]] round_closed_body closing(std::uint32_t round) {
    const round_book& b = book(round);
    round_closed_body c;
    c.round = round;
    c.present = present();
    c.tokens = static_cast<std::uint32_t>(b.voters.size());
    c.ballots = static_cast<std::uint32_t>(b.ballots.size());
    for (const auto& [member, sig] : b.voted) c.voted.push_back(declaration{member, sig});
    if (!b.ballots.empty()) {
      for (std::size_t k = 0; k < b.sums.size(); ++k) {
        c.sums.push_back(contest_sums{b.definition.contests[k].id, b.sums[k]});
      }
    }
    return c;
  }

  // The trustee's shares of the round's sums, bound to `closed_hash` (the real one by default).
  [[nodiscard]] decryption_body decryption(std::uint32_t round, std::string_view trustee,
                                           const crypto::chain_hash* closed_hash = nullptr) {
    const round_book& b = book(round);
    const auto key = trustee_key_of(trustee);
    const crypto::chain_hash& bound = closed_hash ? *closed_hash : b.closed_hash;
    decryption_body d{round, std::string(trustee), {}};
    for (std::size_t k = 0; k < b.sums.size(); ++k) {
      const auto& contest_id = b.definition.contests[k].id;
      contest_shares shares{contest_id, {}};
      for (std::size_t i = 0; i < b.sums[k].size(); ++i) {
        const auto option = static_cast<std::uint16_t>(i);
        const crypto::share_context ctx{s_.id, bound, round, contest_id, option, trustee};
        const auto share = crypto::make_share(ctx, key, b.sums[k][i].alpha, rng_);
        shares.options.push_back(decryption_share{share.share, share.dleq});
      }
      d.shares.push_back(std::move(shares));
    }
    return d;
  }

  // The result the round's rule gives for the plaintexts the fixture cast.
  [[nodiscard]] result_body result(std::uint32_t round) {
    const round_book& b = book(round);
    const auto ballots = static_cast<std::uint32_t>(b.ballots.size());
    auto contests = must(compute_results(b.definition.rule, shapes_of(b.definition),
                                         round_totals{4, b.present_at_close, ballots, b.counts}),
                         "results");
    return result_body{round, ballots, b.present_at_close,
                       std::int64_t{ballots} - static_cast<std::int64_t>(b.voted.size()), std::move(contests)};
  }

  // ---- verbs --------------------------------------------------------------------------------

  void found() { accept(next(genesis())); }
  void add_trustee(std::string_view id) { accept(next(trustee(id))); }
  void seal() { accept(next(election_key())); }
  void define(const round_body& r) {
    round_book& b = book(r.round);
    b.definition = r;
    for (const auto& c : r.contests) {
      b.sums.emplace_back(c.options.size(), ciphertext{});
      b.counts.emplace_back(c.options.size(), 0u);
    }
    accept(next(r));
  }
  void arrive(std::string_view member) {
    accept(next(check_in(member)));
    present_.insert(std::string(member));
  }
  // The secretariat's reset: the tablet makes a new device key and checks in again.
  void reset_device(std::string_view member) {
    devices_.insert_or_assign(std::string(member), signing_key::generate(rng_));
    arrive(member);
  }
  void leave(std::string_view member) {
    accept(next(check_out_body{std::string(member)}));
    present_.erase(std::string(member));
  }
  void open(std::uint32_t round) { accept(next(round_opened_body{round, present()})); }
  void issue(std::uint32_t round, std::string_view member) {
    const token_request request = token(round, member);
    accept(next(request.body));
    const point n = must(
        crypto::unblind_token(token_key_.pk, request.blind, request.body.evaluated, request.body.proof), "unblind");
    book(round).voters.insert_or_assign(std::string(member), voter{device(member), request.ske, n});
  }
  void cast(std::uint32_t round, std::string_view member, const crypto::ballot_choices& choices) {
    const ballot_body b = ballot(round, member, choices);
    accept(next(b));
    round_book& bk = book(round);
    for (std::size_t k = 0; k < b.contests.size(); ++k) {
      for (std::size_t i = 0; i < b.contests[k].selections.size(); ++i) {
        bk.sums[k][i] = bk.sums[k][i] + b.contests[k].selections[i].ct;
        bk.counts[k][i] += choices[k][i];
      }
    }
    bk.ballots.insert_or_assign(std::string(member), b);
  }
  void declare(std::uint32_t round, std::string_view member) {
    const signature sig = voted_sig(round, member);
    const status st = accept_declaration(s_, round, member, sig);
    EXPECT_TRUE(st.ok()) << "fixture declaration refused: " << describe(st.error());
    book(round).voted.insert_or_assign(std::string(member), sig);
  }
  void close(std::uint32_t round) {
    const record r = next(closing(round));
    accept(r);
    book(round).present_at_close = present();
    book(round).closed_hash = crypto::line_hash(encode(r));
  }
  void decrypt(std::uint32_t round, std::string_view trustee) { accept(next(decryption(round, trustee))); }
  void announce(std::uint32_t round) { accept(next(result(round))); }
  void reveal(std::uint32_t round) { accept(next(revealed_body{round})); }
  void adjourn() { accept(next(adjourned_body{})); }

 private:
  [[maybe_unused]] bool sodium_ready_ = crypto::init();
  crypto::deterministic_random rng_{crypto::sha256(crypto::as_bytes("pingyi session_state_test"))};
  signing_key server_key_;
  crypto::voprf::key_pair token_key_;
  crypto::voprf::key_pair other_token_key_;  // a key that is not the session's
  crypto::trustee_key server_trustee_;
  std::map<std::string, signing_key, std::less<>> devices_;
  std::set<std::string, std::less<>> present_;
  std::map<std::uint32_t, round_book> books_;
  std::vector<std::string> lines_;
  session_state s_;
};

// ---- the observable state, as text ------------------------------------------------------------

std::string body_line(const record_body& b) { return encode(record{0, {}, "", b}); }

std::string sorted_hex(const byte32_set& set) {
  std::vector<std::string> out;
  for (const auto& b : set) out.push_back(crypto::to_hex(b));
  std::sort(out.begin(), out.end());
  std::string joined;
  for (const auto& h : out) joined.append(h).append(" ");
  return joined;
}

// Everything apply may change, one fact a line, so that EXPECT_EQ shows what moved.
std::string snapshot(const session_state& s) {
  std::ostringstream o;
  o << "length " << s.length << " head " << crypto::to_hex(s.head) << " last_time " << s.last_time << '\n'
    << "id " << crypto::to_hex(s.id) << '\n'
    << "genesis " << (s.genesis ? body_line(*s.genesis) : std::string("none")) << '\n'
    << "present " << s.present << " adjourned " << s.adjourned << " member_index " << s.member_index.size() << '\n';
  for (const auto& m : s.members) {
    o << "member " << m.id << " present " << m.present << " device_key "
      << (m.device_key ? m.device_key->hex() : std::string("none")) << '\n';
  }
  for (const auto& t : s.trustees) o << "trustee " << t.id << " " << t.key.hex() << '\n';
  o << "election_key " << (s.election_key ? s.election_key->hex() : std::string("none")) << '\n'
    << "open_round " << (s.open_round ? std::to_string(*s.open_round) : std::string("none")) << '\n';
  for (std::size_t n = 0; n < s.rounds.size(); ++n) {
    const round_state& r = s.rounds[n];
    o << "round " << n + 1 << " " << body_line(r.definition) << '\n'
      << "  phase " << to_string(r.phase) << " present_at_open " << r.present_at_open << " ballots " << r.ballots
      << '\n';
    for (const auto& [member, t] : r.tokens) {
      o << "  token " << member << " device " << t.device_key.hex() << " blinded " << t.blinded.hex() << " evaluated "
        << t.evaluated.hex() << " proof " << t.proof.c.hex() << " " << t.proof.s.hex() << '\n';
    }
    for (const auto& [member, sig] : r.declarations) o << "  declaration " << member << " " << sig.hex() << '\n';
    for (std::size_t k = 0; k < r.sums.size(); ++k) {
      for (std::size_t i = 0; i < r.sums[k].size(); ++i) {
        o << "  sum " << k << "." << i << " " << r.sums[k][i].alpha.hex() << " " << r.sums[k][i].beta.hex() << '\n';
      }
    }
    for (std::size_t k = 0; k < r.alphas.size(); ++k) o << "  alphas " << k << " " << sorted_hex(r.alphas[k]) << '\n';
    o << "  closed " << (r.closed ? body_line(*r.closed) : std::string("none")) << " hash "
      << crypto::to_hex(r.closed_hash) << '\n';
    for (const auto& [trustee, shares] : r.decryptions) {
      o << "  decryption " << trustee;
      for (const auto& contest : shares) {
        for (const auto& d : contest) o << " " << d.hex();
      }
      o << '\n';
    }
    o << "  counts";
    if (r.counts) {
      for (const auto& contest : *r.counts) {
        for (const auto c : contest) o << " " << c;
        o << " |";
      }
    } else {
      o << " none";
    }
    o << '\n' << "  result " << (r.result ? body_line(*r.result) : std::string("none")) << '\n';
  }
  std::vector<std::string> spent;
  for (const auto& [vk, t] : s.spent_vks) {
    spent.push_back(crypto::to_hex(vk)
                        .append(" seq ")
                        .append(std::to_string(t.seq))
                        .append(" hash ")
                        .append(crypto::to_hex(t.hash))
                        .append(" digest ")
                        .append(crypto::to_hex(t.digest)));
  }
  std::sort(spent.begin(), spent.end());
  o << "spent_vks " << spent.size() << '\n';
  for (const auto& v : spent) o << "  " << v << '\n';
  return o.str();
}

// ---- the chains the rows start from (each built once, then copied) ----------------------------

using stage_fn = chain (*)();

chain fresh() { return chain{}; }

chain founded() {
  static const chain c = [] {
    chain c;
    c.found();
    return c;
  }();
  return c;
}

// The server and m01 have published their keys; m02 has not.
chain keying() {
  static const chain c = [] {
    chain c = founded();
    c.add_trustee("server");
    c.add_trustee("m01");
    return c;
  }();
  return c;
}

// Both scrutineers have published their keys; the server has not.
chain scrutineers_keyed() {
  static const chain c = [] {
    chain c = founded();
    c.add_trustee("m01");
    c.add_trustee("m02");
    return c;
  }();
  return c;
}

chain ceremony() {
  static const chain c = [] {
    chain c = keying();
    c.add_trustee("m02");
    return c;
  }();
  return c;
}

// Round 1 defined and a quorum present, but the key is not sealed.
chain unsealed_attending() {
  static const chain c = [] {
    chain c = ceremony();
    c.define(chain::evaluation(1));
    for (const auto& m : {"m01", "m02", "m03"}) c.arrive(m);
    return c;
  }();
  return c;
}

// Sealed; round 1 (evaluation: d1, d2) and round 2 (motion: m1) defined; nobody present.
chain sealed() {
  static const chain c = [] {
    chain c = ceremony();
    c.seal();
    c.define(chain::evaluation(1));
    c.define(chain::motion(2));
    return c;
  }();
  return c;
}

// m01, m02, m03 present (3 of 4); m04 never came.
chain attending() {
  static const chain c = [] {
    chain c = sealed();
    for (const auto& m : {"m01", "m02", "m03"}) c.arrive(m);
    return c;
  }();
  return c;
}

// m03 has left: exactly half the roster present.
chain half_present() {
  static const chain c = [] {
    chain c = attending();
    c.leave("m03");
    return c;
  }();
  return c;
}

// Round 1 open; m01 and m02 hold tokens; m01 has cast and declared; m03 has no token.
chain voting() {
  static const chain c = [] {
    chain c = attending();
    c.open(1);
    c.issue(1, "m01");
    c.issue(1, "m02");
    c.cast(1, "m01", m01_choices);
    c.declare(1, "m01");
    return c;
  }();
  return c;
}

chain voting_after_m03_left() {
  static const chain c = [] {
    chain c = voting();
    c.leave("m03");
    return c;
  }();
  return c;
}

// Both token holders have cast and declared: ballots = tokens = 2.
chain all_cast() {
  static const chain c = [] {
    chain c = voting();
    c.cast(1, "m02", m02_choices);
    c.declare(1, "m02");
    return c;
  }();
  return c;
}

// After casting and declaring, m02's device was reset: a new device key is on the chain.
chain device_reset() {
  static const chain c = [] {
    chain c = all_cast();
    c.reset_device("m02");
    return c;
  }();
  return c;
}

chain closed() {
  static const chain c = [] {
    chain c = all_cast();
    c.close(1);
    return c;
  }();
  return c;
}

chain partly_decrypted() {
  static const chain c = [] {
    chain c = closed();
    c.decrypt(1, "server");
    return c;
  }();
  return c;
}

chain decrypted() {
  static const chain c = [] {
    chain c = partly_decrypted();
    c.decrypt(1, "m01");
    c.decrypt(1, "m02");
    return c;
  }();
  return c;
}

chain resulted() {
  static const chain c = [] {
    chain c = decrypted();
    c.announce(1);
    return c;
  }();
  return c;
}

chain revealed() {
  static const chain c = [] {
    chain c = resulted();
    c.reveal(1);
    return c;
  }();
  return c;
}

// Round 2 open, nobody has a token.
chain empty_open() {
  static const chain c = [] {
    chain c = revealed();
    c.open(2);
    return c;
  }();
  return c;
}

// Round 2 closed with zero ballots.
chain empty_closed() {
  static const chain c = [] {
    chain c = empty_open();
    c.close(2);
    return c;
  }();
  return c;
}

// ---- the table ---------------------------------------------------------------------------------

using build_fn = std::function<record(chain&)>;
using violate_fn = std::function<record(chain&, record)>;

struct rule_case {
  std::string name;
  stage_fn stage = nullptr;
  build_fn valid;      // a record apply accepts at the stage
  violate_fn violate;  // the record that breaks the rule, usually `valid` with one change
  error_code code = error_code::internal;
  std::string field;
};

void PrintTo(const rule_case& c, std::ostream* os) { *os << c.name; }

rule_case row(std::string name, stage_fn stage, build_fn valid, violate_fn violate, error_code code,
              std::string field) {
  rule_case c;
  c.name = std::move(name);
  c.stage = stage;
  c.valid = std::move(valid);
  c.violate = std::move(violate);
  c.code = code;
  c.field = std::move(field);
  return c;
}

// `body(c)` in the next envelope.
template <class F>
build_fn next_of(F body) {
  return [body](chain& c) { return c.next(body(c)); };
}

// The valid record with its body changed.
template <class Body, class F>
violate_fn edit(F change) {
  return [change](chain& c, record r) {
    change(c, std::get<Body>(r.body));
    return r;
  };
}

// Another record in the valid one's place.
template <class F>
violate_fn instead(F body) {
  return [body](chain& c, const record&) { return c.next(body(c)); };
}

// The valid record with its envelope changed.
template <class F>
violate_fn envelope(F change) {
  return [change](chain& c, record r) {
    change(c, r);
    return r;
  };
}

std::string row_name(const ::testing::TestParamInfo<rule_case>& info) { return info.param.name; }

class RecordRule : public ::testing::TestWithParam<rule_case> {};

TEST_P(RecordRule, IsRefusedWithItsCodeAndFieldAndChangesNothing) {
  const rule_case& row = GetParam();
  chain c = row.stage();
  const std::string before = snapshot(c.state());
  const record valid = row.valid(c);
  const record bad = row.violate(c, valid);
  const status refused = c.apply(bad);
  ASSERT_FALSE(refused.ok()) << "apply accepted the violating record";
  EXPECT_EQ(to_string(refused.error().code), to_string(row.code)) << describe(refused.error());
  EXPECT_EQ(snapshot(c.state()), before) << "the refused record changed the state";
  const status accepted = c.apply(valid);
  EXPECT_TRUE(accepted.ok()) << "the valid record is refused too: " << describe(accepted.error());
  EXPECT_NE(snapshot(c.state()), before) << "the snapshot does not see what apply changes";
  EXPECT_EQ(refused.error().field, row.field) << describe(refused.error());
}

// ---- envelope: seq, prev, time, type ----------------------------------------------------------

std::vector<rule_case> envelope_rules() {
  const auto m04_arrives = next_of([](chain& c) { return c.check_in("m04"); });
  const auto genesis = next_of([](chain& c) { return c.genesis(); });
  return {
      row("SeqAheadOfTheChain", attending, m04_arrives, envelope([](chain&, record& r) { r.seq += 1; }),
          error_code::bad_request, "seq"),
      row("SeqRepeatingTheLastRecord", attending, m04_arrives, envelope([](chain&, record& r) { r.seq -= 1; }),
          error_code::bad_request, "seq"),
      row("PrevNotTheLastHash", attending, m04_arrives, envelope([](chain&, record& r) { r.prev[0] ^= 0x01; }),
          error_code::bad_request, "prev"),
      row("PrevOfGenesisAfterGenesis", attending, m04_arrives,
          envelope([](chain&, record& r) { r.prev = crypto::genesis_prev; }), error_code::bad_request, "prev"),
      row("PrevNotZeroOnGenesis", fresh, genesis, envelope([](chain&, record& r) { r.prev[31] = 0x01; }),
          error_code::bad_request, "prev"),
      row("TimeWithoutMilliseconds", attending, m04_arrives,
          envelope([](chain&, record& r) { r.time = "2026-11-23T09:30:00Z"; }), error_code::bad_request, "time"),
      row("TimeWithOffsetInsteadOfUtc", attending, m04_arrives,
          envelope([](chain&, record& r) { r.time = "2026-11-23T17:30:00.000+08:00"; }), error_code::bad_request,
          "time"),
      row("TimeNotARealDate", attending, m04_arrives,
          envelope([](chain&, record& r) { r.time = "2026-02-30T09:30:00.000Z"; }), error_code::bad_request, "time"),
      row("TimeBeforeTheLastRecord", attending, m04_arrives,
          envelope([](chain& c, record& r) { r.time = chain::time_at(c.state().length - 2); }), error_code::bad_request,
          "time"),
      row("RecordZeroNotGenesis", fresh, genesis, instead([](chain&) { return check_out_body{"m01"}; }),
          error_code::bad_request, "type"),
      row("GenesisAgain", attending, m04_arrives, instead([](chain& c) { return c.genesis(); }),
          error_code::bad_request, "type"),
  };
}
INSTANTIATE_TEST_SUITE_P(ApplyEnvelope, RecordRule, ::testing::ValuesIn(envelope_rules()), row_name);

// ---- genesis ------------------------------------------------------------------------------------

std::vector<rule_case> genesis_rules() {
  const auto genesis = next_of([](chain& c) { return c.genesis(); });
  return {
      row("ProtocolOfAnotherVersion", fresh, genesis,
          edit<genesis_body>([](chain&, genesis_body& g) { g.protocol = "pingyi/2"; }), error_code::bad_request,
          "protocol"),
      row("EmptyRoster", fresh, genesis, edit<genesis_body>([](chain&, genesis_body& g) {
            g.members.clear();
            g.scrutineers.clear();
          }),
          error_code::bad_request, "members"),
      row("DuplicateMemberId", fresh, genesis,
          edit<genesis_body>([](chain&, genesis_body& g) { g.members[2].id = "m01"; }), error_code::bad_request,
          "members[2].id"),
      row("MemberIdServer", fresh, genesis,
          edit<genesis_body>([](chain&, genesis_body& g) { g.members[3].id = "server"; }), error_code::bad_request,
          "members[3].id"),
      row("ScrutineerNotOnRoster", fresh, genesis,
          edit<genesis_body>([](chain&, genesis_body& g) { g.scrutineers[1] = "m09"; }), error_code::bad_request,
          "scrutineers[1]"),
      row("ScrutineerTwice", fresh, genesis, edit<genesis_body>([](chain&, genesis_body& g) {
            g.scrutineers = {"m01", "m02", "m01"};
          }),
          error_code::bad_request, "scrutineers[2]"),
      row("QuorumNumEqualToDen", fresh, genesis, edit<genesis_body>([](chain&, genesis_body& g) {
            g.quorum.num = 2;
            g.quorum.den = 2;
          }),
          error_code::bad_request, "quorum"),
      row("QuorumNumAboveDen", fresh, genesis, edit<genesis_body>([](chain&, genesis_body& g) {
            g.quorum.num = 3;
            g.quorum.den = 2;
          }),
          error_code::bad_request, "quorum"),
      row("QuorumNumZero", fresh, genesis, edit<genesis_body>([](chain&, genesis_body& g) { g.quorum.num = 0; }),
          error_code::bad_request, "quorum"),
      row("QuorumDenZero", fresh, genesis, edit<genesis_body>([](chain&, genesis_body& g) { g.quorum.den = 0; }),
          error_code::bad_request, "quorum"),
      row("TokenKeyIdentity", fresh, genesis,
          edit<genesis_body>([](chain&, genesis_body& g) { g.token_key = point::identity(); }),
          error_code::invalid_point, "token_key"),
  };
}
INSTANTIATE_TEST_SUITE_P(ApplyGenesis, RecordRule, ::testing::ValuesIn(genesis_rules()), row_name);

// ---- trustee ------------------------------------------------------------------------------------

std::vector<rule_case> trustee_rules() {
  const auto m02_key = next_of([](chain& c) { return c.trustee("m02"); });
  return {
      row("AfterElectionKey", sealed, next_of([](chain& c) { return c.check_in("m01"); }),
          instead([](chain& c) { return c.trustee("m02"); }), error_code::forbidden, "id"),
      row("MemberWhoIsNoScrutineer", keying, m02_key, instead([](chain& c) { return c.trustee("m03"); }),
          error_code::forbidden, "id"),
      row("IdNotOnRoster", keying, m02_key, edit<trustee_body>([](chain&, trustee_body& t) { t.id = "m09"; }),
          error_code::forbidden, "id"),
      row("ScrutineerTwice", keying, m02_key, instead([](chain& c) { return c.trustee("m01"); }), error_code::forbidden,
          "id"),
      row("ServerTwice", keying, m02_key, instead([](chain& c) { return c.trustee("server"); }), error_code::forbidden,
          "id"),
      row("ScrutineerUnderAnotherName", keying, m02_key,
          edit<trustee_body>([](chain&, trustee_body& t) { t.name = "张伟"; }), error_code::bad_request, "name"),
      row("ServerUnderAnotherName", founded, next_of([](chain& c) { return c.trustee("server"); }),
          edit<trustee_body>([](chain&, trustee_body& t) { t.name = "服务器"; }), error_code::bad_request, "name"),
      row("ProofAltered", keying, m02_key,
          edit<trustee_body>([](chain&, trustee_body& t) { t.proof.s += scalar::one(); }), error_code::invalid_proof,
          "proof"),
      row("ProofMadeForAnotherId", keying, m02_key, edit<trustee_body>([](chain& c, trustee_body& t) {
            t.proof = crypto::prove_trustee_key(c.sid(), "m01", c.trustee_key_of("m02"), crypto::os_random());
          }),
          error_code::invalid_proof, "proof"),
      row("ProofMadeForAnotherSession", keying, m02_key, edit<trustee_body>([](chain& c, trustee_body& t) {
            t.proof = crypto::prove_trustee_key(another_session(), "m02", c.trustee_key_of("m02"), crypto::os_random());
          }),
          error_code::invalid_proof, "proof"),
      row("KeyOfAnotherTrustee", keying, m02_key,
          edit<trustee_body>([](chain& c, trustee_body& t) { t.key = c.trustee_key_of("m01").key; }),
          error_code::invalid_proof, "proof"),
  };
}
INSTANTIATE_TEST_SUITE_P(ApplyTrustee, RecordRule, ::testing::ValuesIn(trustee_rules()), row_name);

// ---- election_key -------------------------------------------------------------------------------

std::vector<rule_case> election_key_rules() {
  const auto seal = next_of([](chain& c) { return c.election_key(); });
  const auto listing = [](std::vector<std::string> ids) {
    return edit<election_key_body>([ids](chain&, election_key_body& e) { e.trustees = ids; });
  };
  return {
      row("SealedTwice", sealed, next_of([](chain& c) { return c.check_in("m01"); }),
          instead([](chain& c) { return c.election_key(); }), error_code::forbidden, "type"),
      row("ScrutineerWithoutKey", keying, next_of([](chain& c) { return c.trustee("m02"); }), instead([](chain& c) {
            return election_key_body{{"server", "m01"}, c.key_sum({"server", "m01"})};
          }),
          error_code::forbidden, "trustees"),
      row("ServerWithoutKey", scrutineers_keyed, next_of([](chain& c) { return c.trustee("server"); }),
          instead([](chain& c) {
            return election_key_body{{"m01", "m02"}, c.key_sum({"m01", "m02"})};
          }),
          error_code::forbidden, "trustees"),
      row("TrusteeListedTwice", ceremony, seal, listing({"server", "m01", "m01", "m02"}), error_code::bad_request,
          "trustees[2]"),
      row("UnknownTrusteeListed", ceremony, seal, listing({"server", "m01", "m02", "m03"}), error_code::not_found,
          "trustees[3]"),
      row("UnknownTrusteeInPlaceOfOne", ceremony, seal, listing({"server", "m01", "m03"}), error_code::not_found,
          "trustees[2]"),
      row("TrusteeMissingFromList", ceremony, seal, listing({"server", "m01"}), error_code::bad_request, "trustees"),
      row("KeyNotTheSumOfAllTrustees", ceremony, seal, edit<election_key_body>([](chain& c, election_key_body& e) {
            e.key = c.key_sum({"server", "m01"});
          }),
          error_code::bad_request, "key"),
      row("KeyOfTheServerAlone", ceremony, seal,
          edit<election_key_body>([](chain& c, election_key_body& e) { e.key = c.trustee_key_of("server").key; }),
          error_code::bad_request, "key"),
  };
}
INSTANTIATE_TEST_SUITE_P(ApplyElectionKey, RecordRule, ::testing::ValuesIn(election_key_rules()), row_name);

// ---- round --------------------------------------------------------------------------------------

std::vector<rule_case> round_rules() {
  const auto third = next_of([](chain&) { return chain::selection(3); });
  const auto third_evaluation = next_of([](chain&) { return chain::evaluation(3); });
  return {
      row("NumberSkipped", sealed, third, edit<round_body>([](chain&, round_body& r) { r.round = 4; }),
          error_code::bad_request, "round"),
      row("NumberRepeated", sealed, third, edit<round_body>([](chain&, round_body& r) { r.round = 2; }),
          error_code::bad_request, "round"),
      row("NumberZero", sealed, third, edit<round_body>([](chain&, round_body& r) { r.round = 0; }),
          error_code::bad_request, "round"),
      row("DuplicateContestId", sealed, third,
          edit<round_body>([](chain&, round_body& r) { r.contests.push_back(r.contests[0]); }), error_code::bad_request,
          "contests[1].id"),
      row("RuleOfAnotherKind", sealed, third, edit<round_body>([](chain&, round_body& r) { r.rule = motion_rule{}; }),
          error_code::bad_request, "rule"),
      row("KindOfAnotherRule", sealed, third,
          edit<round_body>([](chain&, round_body& r) { r.kind = round_kind::evaluation; }), error_code::bad_request,
          "rule"),
      row("EvaluationContestsWithDifferentOptions", sealed, third_evaluation,
          edit<round_body>([](chain&, round_body& r) {
            r.contests[1].options = {"优秀", "称职", "不称职"};
          }),
          error_code::bad_request, "contests[1].options"),
      row("EvaluationContestAllowingNoGrade", sealed, third_evaluation,
          edit<round_body>([](chain&, round_body& r) { r.contests[1].min = 0; }), error_code::bad_request,
          "contests[1].min"),
      row("MaxAboveTheOptions", sealed, third, edit<round_body>([](chain&, round_body& r) { r.contests[0].max = 5; }),
          error_code::bad_request, "contests[0].max"),
      row("MinAboveMax", sealed, third, edit<round_body>([](chain&, round_body& r) { r.contests[0].min = 3; }),
          error_code::bad_request, "contests[0].min"),
      row("NoContests", sealed, third, edit<round_body>([](chain&, round_body& r) { r.contests.clear(); }),
          error_code::bad_request, "contests"),
      row("ContestWithoutOptions", sealed, third, edit<round_body>([](chain&, round_body& r) {
            r.contests[0].options.clear();
            r.contests[0].max = 0;
          }),
          error_code::bad_request, "contests[0].options"),
      row("RuleFractionAboveOne", sealed, third, edit<round_body>([](chain&, round_body& r) {
            r.rule = selection_rule{3, 2, false};
          }),
          error_code::bad_request, "rule.num"),
  };
}
INSTANTIATE_TEST_SUITE_P(ApplyRound, RecordRule, ::testing::ValuesIn(round_rules()), row_name);

// ---- check_in, check_out ------------------------------------------------------------------------

std::vector<rule_case> check_in_rules() {
  const auto m04_arrives = next_of([](chain& c) { return c.check_in("m04"); });
  return {
      row("UnknownMember", attending, m04_arrives, instead([](chain& c) { return c.check_in("m09"); }),
          error_code::not_found, "member"),
      row("SignatureAltered", attending, m04_arrives,
          edit<check_in_body>([](chain&, check_in_body& b) { b.sig = flipped(b.sig); }), error_code::invalid_signature, "sig"),
      row("SignatureForAnotherMember", attending, m04_arrives, edit<check_in_body>([](chain& c, check_in_body& b) {
            b.sig = crypto::sign_checkin(c.device("m04"), c.sid(), "m03");
          }),
          error_code::invalid_signature, "sig"),
      row("SignatureByAnotherDevice", attending, m04_arrives, edit<check_in_body>([](chain& c, check_in_body& b) {
            b.sig = crypto::sign_checkin(c.device("m03"), c.sid(), "m04");
          }),
          error_code::invalid_signature, "sig"),
      row("SignatureForAnotherSession", attending, m04_arrives, edit<check_in_body>([](chain& c, check_in_body& b) {
            b.sig = crypto::sign_checkin(c.device("m04"), another_session(), "m04");
          }),
          error_code::invalid_signature, "sig"),
      row("AlreadyPresentWithTheSameKey", attending, m04_arrives, instead([](chain& c) { return c.check_in("m01"); }),
          error_code::bad_request, "member"),
  };
}
INSTANTIATE_TEST_SUITE_P(ApplyCheckIn, RecordRule, ::testing::ValuesIn(check_in_rules()), row_name);

std::vector<rule_case> check_out_rules() {
  const auto m03_leaves = next_of([](chain&) { return check_out_body{"m03"}; });
  return {
      row("MemberNeverCheckedIn", attending, m03_leaves, instead([](chain&) { return check_out_body{"m04"}; }),
          error_code::forbidden, "member"),
      row("UnknownMember", attending, m03_leaves, instead([](chain&) { return check_out_body{"m09"}; }),
          error_code::not_found, "member"),
      row("MemberAlreadyLeft", half_present, next_of([](chain& c) { return c.check_in("m03"); }),
          instead([](chain&) { return check_out_body{"m03"}; }), error_code::forbidden, "member"),
  };
}
INSTANTIATE_TEST_SUITE_P(ApplyCheckOut, RecordRule, ::testing::ValuesIn(check_out_rules()), row_name);

// ---- round_opened -------------------------------------------------------------------------------

std::vector<rule_case> round_opened_rules() {
  const auto open_first = next_of([](chain&) { return round_opened_body{1, 3}; });
  const auto m03_token = next_of([](chain& c) { return c.token(1, "m03").body; });
  return {
      row("BeforeElectionKey", unsealed_attending, next_of([](chain& c) { return c.election_key(); }),
          instead([](chain&) {
            return round_opened_body{1, 3};
          }),
          error_code::forbidden, "round"),
      row("UnknownRound", attending, open_first, instead([](chain&) {
            return round_opened_body{3, 3};
          }),
          error_code::not_found, "round"),
      row("RoundZero", attending, open_first, instead([](chain&) {
            return round_opened_body{0, 3};
          }),
          error_code::not_found, "round"),
      row("ReopenedAfterClose", closed, next_of([](chain&) {
            return round_opened_body{2, 3};
          }),
          instead([](chain&) {
            return round_opened_body{1, 3};
          }),
          error_code::forbidden, "round"),
      row("OpenedAgainWhileOpen", voting, m03_token, instead([](chain&) {
            return round_opened_body{1, 3};
          }),
          error_code::forbidden, "round"),
      row("AnotherRoundOpen", voting, m03_token, instead([](chain&) {
            return round_opened_body{2, 3};
          }),
          error_code::forbidden, "round"),
      row("PresentAboveCheckedIn", attending, open_first,
          edit<round_opened_body>([](chain&, round_opened_body& o) { o.present = 4; }), error_code::bad_request,
          "present"),
      row("PresentBelowCheckedIn", attending, open_first,
          edit<round_opened_body>([](chain&, round_opened_body& o) { o.present = 2; }), error_code::bad_request,
          "present"),
      // 2 of 4 with quorum 1/2: 2·2 > 4·1 fails, "more than half" is not met by exactly half.
      row("QuorumNotMetByExactlyHalf", half_present, next_of([](chain& c) { return c.check_in("m03"); }),
          instead([](chain&) {
            return round_opened_body{1, 2};
          }),
          error_code::quorum_not_met, "present"),
  };
}
INSTANTIATE_TEST_SUITE_P(ApplyRoundOpened, RecordRule, ::testing::ValuesIn(round_opened_rules()), row_name);

// ---- token --------------------------------------------------------------------------------------

std::vector<rule_case> token_rules() {
  const auto m03_token = next_of([](chain& c) { return c.token(1, "m03").body; });
  return {
      row("RoundNotOpen", voting, m03_token, instead([](chain& c) { return c.token(2, "m03").body; }),
          error_code::round_not_open, "round"),
      row("RoundUnknown", voting, m03_token, instead([](chain& c) { return c.token(3, "m03").body; }),
          error_code::not_found, "round"),
      row("MemberUnknown", voting, m03_token, instead([](chain& c) { return c.token(1, "m09").body; }),
          error_code::not_found, "member"),
      row("MemberNeverCheckedIn", voting, m03_token, instead([](chain& c) { return c.token(1, "m04").body; }),
          error_code::forbidden, "member"),
      row("MemberCheckedOut", voting_after_m03_left, next_of([](chain& c) { return c.check_in("m03"); }),
          instead([](chain& c) { return c.token(1, "m03").body; }), error_code::forbidden, "member"),
      row("SecondTokenForMember", voting, m03_token, instead([](chain& c) { return c.token(1, "m01").body; }),
          error_code::already_issued, "member"),
      row("RequestSignedByAnotherMembersKey", voting, m03_token, edit<token_body>([](chain& c, token_body& t) {
            t.request_sig = crypto::sign_token_request(c.device("m02"), c.sid(), 1, t.blinded);
          }),
          error_code::invalid_signature, "request_sig"),
      row("RequestSignedForAnotherRound", voting, m03_token, edit<token_body>([](chain& c, token_body& t) {
            t.request_sig = crypto::sign_token_request(c.device("m03"), c.sid(), 2, t.blinded);
          }),
          error_code::invalid_signature, "request_sig"),
      row("RequestSignedOverAnotherBlindedElement", voting, m03_token, edit<token_body>([](chain& c, token_body& t) {
            const point other = c.token(1, "m03").body.blinded;
            t.request_sig = crypto::sign_token_request(c.device("m03"), c.sid(), 1, other);
          }),
          error_code::invalid_signature, "request_sig"),
      // decode refuses the identity; a record built in code must be refused the same way.
      row("BlindedIdentity", voting, m03_token, edit<token_body>([](chain&, token_body& t) { t.blinded = point{}; }),
          error_code::invalid_point, "blinded"),
      row("EvaluatedIdentity", voting, m03_token,
          edit<token_body>([](chain&, token_body& t) { t.evaluated = point{}; }), error_code::invalid_point,
          "evaluated"),
      row("RequestSignatureAltered", voting, m03_token,
          edit<token_body>([](chain&, token_body& t) { t.request_sig = flipped(t.request_sig); }),
          error_code::invalid_signature, "request_sig"),
      row("EvaluationProofAltered", voting, m03_token,
          edit<token_body>([](chain&, token_body& t) { t.proof.c += scalar::one(); }), error_code::invalid_proof,
          "proof"),
      row("EvaluatedByAnotherTokenKey", voting, m03_token, edit<token_body>([](chain& c, token_body& t) {
            const auto e = crypto::issue_token(c.other_token_key(), t.blinded, crypto::os_random());
            t.evaluated = e.elements[0];
            t.proof = e.dleq;
          }),
          error_code::invalid_proof, "proof"),
      row("EvaluationOfAnotherRequest", voting, m03_token, edit<token_body>([](chain& c, token_body& t) {
            const token_body other = c.token(1, "m03").body;
            t.evaluated = other.evaluated;
            t.proof = other.proof;
          }),
          error_code::invalid_proof, "proof"),
  };
}
INSTANTIATE_TEST_SUITE_P(ApplyToken, RecordRule, ::testing::ValuesIn(token_rules()), row_name);

// ---- ballot -------------------------------------------------------------------------------------

std::vector<rule_case> ballot_rules() {
  const auto m02_ballot = next_of([](chain& c) { return c.ballot(1, "m02", m02_choices); });
  const auto m03_token = next_of([](chain& c) { return c.token(1, "m03").body; });
  const auto cast_by = [](chain& c, const char* member) { return c.book(1).ballots.at(member); };
  return {
      row("RoundNotOpen", voting, m02_ballot, instead([](chain& c) {
            return c.minted_ballot(2, {{1, 0, 0}});
          }),
          error_code::round_not_open, "round"),
      row("RoundUnknown", voting, m02_ballot, edit<ballot_body>([](chain&, ballot_body& b) { b.round = 3; }),
          error_code::not_found, "round"),
      row("RoundAlreadyClosed", closed, next_of([](chain& c) { return c.decryption(1, "server"); }),
          instead([](chain& c) { return c.minted_ballot(1, m02_choices); }), error_code::round_not_open, "round"),
      row("VkSpentOnTheIdenticalBallot", voting, m02_ballot, instead([cast_by](chain& c) { return cast_by(c, "m01"); }),
          error_code::token_spent, "vk"),
      row("VkSpentOnAnotherBallot", voting, m02_ballot,
          instead([](chain& c) { return c.ballot(1, "m01", m02_choices); }), error_code::token_spent, "vk"),
      row("VkSpentInAnEarlierRound", empty_open, next_of([](chain& c) { return c.token(2, "m01").body; }),
          instead([](chain& c) {
            const signing_key ske = c.book(1).voters.at("m01").ske;
            const point n = c.mint(2, ske.public_key(), c.token_key());
            return c.ballot_with(2, ske, n, {{1, 0, 0}}, c.specs(2), c.token_key());
          }),
          error_code::token_spent, "vk"),
      row("MoreBallotsThanTokens", all_cast, m03_token,
          instead([](chain& c) { return c.minted_ballot(1, m02_choices); }), error_code::invalid_token, "token"),
      row("TokenNotEvaluatedByTheSessionKey", voting, m02_ballot, instead([](chain& c) {
            const signing_key ske = signing_key::generate(crypto::os_random());
            const point n = c.mint(1, ske.public_key(), c.other_token_key());
            return c.ballot_with(1, ske, n, m02_choices, c.specs(1), c.other_token_key());
          }),
          error_code::invalid_token, "token_proof"),
      row("TokenOfAnotherRound", voting, m02_ballot, instead([](chain& c) {
            const signing_key ske = signing_key::generate(crypto::os_random());
            const point n = c.mint(2, ske.public_key(), c.token_key());
            ballot_body b = c.ballot_with(1, ske, n, m02_choices, c.specs(1), c.token_key());
            // The server's proof for the round the token was made for: valid there, not here.
            b.token_proof =
                crypto::prove_token(c.token_key(), crypto::token_point(c.sid(), 2, b.vk), n, crypto::os_random());
            return b;
          }),
          error_code::invalid_token, "token_proof"),
      row("TokenProofAltered", voting, m02_ballot,
          edit<ballot_body>([](chain&, ballot_body& b) { b.token_proof.s += scalar::one(); }),
          error_code::invalid_token, "token_proof"),
      row("AlphaOfAnEarlierBallot", voting, m02_ballot, edit<ballot_body>([cast_by](chain& c, ballot_body& b) {
            b.contests[0].selections[0] = cast_by(c, "m01").contests[0].selections[0];
          }),
          error_code::duplicate_ciphertext, "contests[0].selections[0].alpha"),
      row("AlphaOfAnEarlierBallotInTheSecondContest", voting, m02_ballot,
          edit<ballot_body>([cast_by](chain& c, ballot_body& b) {
            b.contests[1].selections[2] = cast_by(c, "m01").contests[1].selections[2];
          }),
          error_code::duplicate_ciphertext, "contests[1].selections[2].alpha"),
      row("AlphaRepeatedWithinTheBallot", voting, m02_ballot,
          edit<ballot_body>([](chain&, ballot_body& b) { b.contests[0].selections[2] = b.contests[0].selections[0]; }),
          error_code::duplicate_ciphertext, "contests[0].selections[2].alpha"),
      row("ContestMissing", voting, m02_ballot,
          edit<ballot_body>([](chain&, ballot_body& b) { b.contests.pop_back(); }), error_code::bad_request,
          "contests"),
      row("ContestExtra", voting, m02_ballot,
          edit<ballot_body>([](chain&, ballot_body& b) { b.contests.push_back(b.contests[0]); }),
          error_code::bad_request, "contests"),
      row("ContestIdNotTheRounds", voting, m02_ballot,
          edit<ballot_body>([](chain&, ballot_body& b) { b.contests[1].id = "d9"; }), error_code::bad_request,
          "contests[1].id"),
      row("ContestsSwapped", voting, m02_ballot,
          edit<ballot_body>([](chain&, ballot_body& b) { std::swap(b.contests[0], b.contests[1]); }),
          error_code::bad_request, "contests[0].id"),
      row("SelectionMissing", voting, m02_ballot,
          edit<ballot_body>([](chain&, ballot_body& b) { b.contests[0].selections.pop_back(); }),
          error_code::bad_request, "contests[0].selections"),
      row("ZeroOneProofAltered", voting, m02_ballot,
          edit<ballot_body>([](chain&, ballot_body& b) { b.contests[0].selections[1].proof.s[0] += scalar::one(); }),
          error_code::invalid_proof, "contests[0].selections[1].proof"),
      row("ZeroTurnedIntoOne", voting, m02_ballot,
          edit<ballot_body>([](chain&, ballot_body& b) { b.contests[1].selections[0].ct.beta += point::generator(); }),
          error_code::invalid_proof, "contests[1].selections[0].proof"),
      // Every selection a proved 0 or 1, but two grades for one target: only the limit proof stops it.
      row("OverVoteFailsTheLimitProof", voting, m02_ballot, instead([](chain& c) {
            const voter& v = c.book(1).voters.at("m02");
            const std::vector<crypto::contest_spec> lying = {{"d1", 3, 2, 2}, {"d2", 3, 1, 1}};
            return c.ballot_with(1, v.ske, v.token, {{1, 1, 0}, {0, 0, 1}}, lying, c.token_key());
          }),
          error_code::invalid_proof, "contests[0].limit_proof"),
      row("NoGradeFailsTheLimitProof", voting, m02_ballot, instead([](chain& c) {
            const voter& v = c.book(1).voters.at("m02");
            const std::vector<crypto::contest_spec> lying = {{"d1", 3, 1, 1}, {"d2", 3, 0, 0}};
            return c.ballot_with(1, v.ske, v.token, {{1, 0, 0}, {0, 0, 0}}, lying, c.token_key());
          }),
          error_code::invalid_proof, "contests[1].limit_proof"),
      row("SignatureAltered", voting, m02_ballot,
          edit<ballot_body>([](chain&, ballot_body& b) { b.sig = flipped(b.sig); }), error_code::invalid_signature,
          "sig"),
  };
}
INSTANTIATE_TEST_SUITE_P(ApplyBallot, RecordRule, ::testing::ValuesIn(ballot_rules()), row_name);

// ---- round_closed -------------------------------------------------------------------------------

std::vector<rule_case> round_closed_rules() {
  const auto close_first = next_of([](chain& c) { return c.closing(1); });
  const auto voted_entry = [](chain& c, const char* member, std::uint32_t round) {
    return declaration{member, crypto::sign_voted(c.device(member), c.sid(), round)};
  };
  return {
      row("RoundNotOpen", all_cast, close_first,
          edit<round_closed_body>([](chain&, round_closed_body& r) { r.round = 2; }), error_code::round_not_open,
          "round"),
      row("RoundUnknown", all_cast, close_first,
          edit<round_closed_body>([](chain&, round_closed_body& r) { r.round = 3; }), error_code::not_found, "round"),
      row("RoundClosedTwice", closed, next_of([](chain& c) { return c.decryption(1, "server"); }),
          instead([](chain& c) { return c.closing(1); }), error_code::round_not_open, "round"),
      row("PresentWrong", all_cast, close_first,
          edit<round_closed_body>([](chain&, round_closed_body& r) { r.present = 4; }), error_code::bad_request,
          "present"),
      row("TokensWrong", all_cast, close_first,
          edit<round_closed_body>([](chain&, round_closed_body& r) { r.tokens = 3; }), error_code::bad_request,
          "tokens"),
      row("BallotsWrong", all_cast, close_first,
          edit<round_closed_body>([](chain&, round_closed_body& r) { r.ballots = 1; }), error_code::bad_request,
          "ballots"),
      row("VotedUnsorted", all_cast, close_first,
          edit<round_closed_body>([](chain&, round_closed_body& r) { std::swap(r.voted[0], r.voted[1]); }),
          error_code::bad_request, "voted[1].member"),
      row("VotedRepeated", all_cast, close_first, edit<round_closed_body>([](chain&, round_closed_body& r) {
            r.voted.insert(r.voted.begin() + 1, r.voted[0]);
          }),
          error_code::bad_request, "voted[1].member"),
      row("VotedByMemberWithoutToken", all_cast, close_first,
          edit<round_closed_body>(
              [voted_entry](chain& c, round_closed_body& r) { r.voted.push_back(voted_entry(c, "m03", 1)); }),
          error_code::forbidden, "voted[2].member"),
      row("VotedByUnknownMember", all_cast, close_first,
          edit<round_closed_body>(
              [voted_entry](chain& c, round_closed_body& r) { r.voted.push_back(voted_entry(c, "m09", 1)); }),
          error_code::not_found, "voted[2].member"),
      row("VotedSignatureAltered", all_cast, close_first,
          edit<round_closed_body>([](chain&, round_closed_body& r) { r.voted[0].sig = flipped(r.voted[0].sig); }),
          error_code::invalid_signature, "voted[0].sig"),
      row("VotedSignedForAnotherRound", all_cast, close_first,
          edit<round_closed_body>(
              [voted_entry](chain& c, round_closed_body& r) { r.voted[1] = voted_entry(c, "m02", 2); }),
          error_code::invalid_signature, "voted[1].sig"),
      row("VotedSignatureOfAnotherMember", all_cast, close_first,
          edit<round_closed_body>([](chain&, round_closed_body& r) { r.voted[1].sig = r.voted[0].sig; }),
          error_code::invalid_signature, "voted[1].sig"),
      // The valid record here is the positive case: m02's declaration signed with the key that
      // signed its token request is accepted although a reset put another key on the chain since.
      row("VotedSignedWithTheDeviceKeyOfALaterReset", device_reset, close_first,
          edit<round_closed_body>(
              [voted_entry](chain& c, round_closed_body& r) { r.voted[1] = voted_entry(c, "m02", 1); }),
          error_code::invalid_signature, "voted[1].sig"),
      row("SumAltered", all_cast, close_first,
          edit<round_closed_body>([](chain&, round_closed_body& r) { r.sums[0].options[1] = r.sums[0].options[2]; }),
          error_code::bad_request, "sums[0].options[1]"),
      row("SumsMissingAContest", all_cast, close_first,
          edit<round_closed_body>([](chain&, round_closed_body& r) { r.sums.pop_back(); }), error_code::bad_request,
          "sums"),
      row("SumsEmptyWithBallots", all_cast, close_first,
          edit<round_closed_body>([](chain&, round_closed_body& r) { r.sums.clear(); }), error_code::bad_request,
          "sums"),
      row("SumsContestIdWrong", all_cast, close_first,
          edit<round_closed_body>([](chain&, round_closed_body& r) { r.sums[1].id = "d9"; }), error_code::bad_request,
          "sums[1].id"),
      row("SumsMissingAnOption", all_cast, close_first,
          edit<round_closed_body>([](chain&, round_closed_body& r) { r.sums[0].options.pop_back(); }),
          error_code::bad_request, "sums[0].options"),
      row("SumsGivenWithZeroBallots", empty_open, next_of([](chain& c) { return c.closing(2); }),
          edit<round_closed_body>([](chain&, round_closed_body& r) {
            r.sums = {contest_sums{"m1", {ciphertext{}, ciphertext{}, ciphertext{}}}};
          }),
          error_code::bad_request, "sums"),
  };
}
INSTANTIATE_TEST_SUITE_P(ApplyRoundClosed, RecordRule, ::testing::ValuesIn(round_closed_rules()), row_name);

// ---- decryption ---------------------------------------------------------------------------------

std::vector<rule_case> decryption_rules() {
  const auto server_shares = next_of([](chain& c) { return c.decryption(1, "server"); });
  return {
      row("RoundStillOpen", all_cast, next_of([](chain& c) { return c.closing(1); }),
          instead([](chain& c) { return c.decryption(1, "server"); }), error_code::forbidden, "round"),
      row("RoundNeverOpened", closed, server_shares, instead([](chain& c) { return c.decryption(2, "server"); }),
          error_code::forbidden, "round"),
      row("RoundUnknown", closed, server_shares, edit<decryption_body>([](chain&, decryption_body& d) { d.round = 3; }),
          error_code::not_found, "round"),
      row("RoundWithZeroBallots", empty_closed, next_of([](chain& c) { return c.result(2); }), instead([](chain&) {
            return decryption_body{2, "server", {}};
          }),
          error_code::forbidden, "round"),
      row("RoundAlreadyResulted", resulted, next_of([](chain&) { return revealed_body{1}; }),
          instead([](chain& c) { return c.decryption(1, "server"); }), error_code::forbidden, "round"),
      row("UnknownTrustee", closed, server_shares,
          edit<decryption_body>([](chain&, decryption_body& d) { d.trustee = "m03"; }), error_code::not_found,
          "trustee"),
      row("TrusteeTwice", partly_decrypted, next_of([](chain& c) { return c.decryption(1, "m01"); }),
          instead([](chain& c) { return c.decryption(1, "server"); }), error_code::forbidden, "trustee"),
      row("ShareAltered", closed, server_shares,
          edit<decryption_body>([](chain&, decryption_body& d) { d.shares[0].options[1].share += point::generator(); }),
          error_code::invalid_proof, "shares[0].options[1].proof"),
      row("ShareProofAltered", closed, server_shares,
          edit<decryption_body>([](chain&, decryption_body& d) { d.shares[1].options[2].proof.s += scalar::one(); }),
          error_code::invalid_proof, "shares[1].options[2].proof"),
      row("SharesBoundToAnotherClosedHash", closed, server_shares, instead([](chain& c) {
            crypto::chain_hash forked = c.book(1).closed_hash;
            forked[0] ^= 0x01;
            return c.decryption(1, "server", &forked);
          }),
          error_code::invalid_proof, "shares[0].options[0].proof"),
      row("SharesOfAnotherTrustee", closed, server_shares,
          edit<decryption_body>([](chain&, decryption_body& d) { d.trustee = "m01"; }), error_code::invalid_proof,
          "shares[0].options[0].proof"),
      row("SharesMissingAContest", closed, server_shares,
          edit<decryption_body>([](chain&, decryption_body& d) { d.shares.pop_back(); }), error_code::bad_request,
          "shares"),
      row("SharesContestIdWrong", closed, server_shares,
          edit<decryption_body>([](chain&, decryption_body& d) { d.shares[1].id = "d9"; }), error_code::bad_request,
          "shares[1].id"),
      row("SharesMissingAnOption", closed, server_shares,
          edit<decryption_body>([](chain&, decryption_body& d) { d.shares[0].options.pop_back(); }),
          error_code::bad_request, "shares[0].options"),
  };
}
INSTANTIATE_TEST_SUITE_P(ApplyDecryption, RecordRule, ::testing::ValuesIn(decryption_rules()), row_name);

// ---- result -------------------------------------------------------------------------------------

std::vector<rule_case> result_rules() {
  const auto announce = next_of([](chain& c) { return c.result(1); });
  return {
      row("BeforeEveryTrusteeDecrypted", partly_decrypted, next_of([](chain& c) { return c.decryption(1, "m01"); }),
          instead([](chain& c) { return c.result(1); }), error_code::forbidden, "round"),
      row("BeforeClose", all_cast, next_of([](chain& c) { return c.closing(1); }),
          instead([](chain& c) { return c.result(1); }), error_code::forbidden, "round"),
      row("Twice", resulted, next_of([](chain&) { return revealed_body{1}; }),
          instead([](chain& c) { return c.result(1); }), error_code::forbidden, "round"),
      row("RoundUnknown", decrypted, announce, edit<result_body>([](chain&, result_body& r) { r.round = 3; }),
          error_code::not_found, "round"),
      row("BallotsWrong", decrypted, announce, edit<result_body>([](chain&, result_body& r) { r.ballots = 3; }),
          error_code::bad_request, "ballots"),
      row("PresentWrong", decrypted, announce, edit<result_body>([](chain&, result_body& r) { r.present = 4; }),
          error_code::bad_request, "present"),
      row("UndeclaredWrong", decrypted, announce, edit<result_body>([](chain&, result_body& r) { r.undeclared = 1; }),
          error_code::bad_request, "undeclared"),
      row("CountsWrong", decrypted, announce, edit<result_body>([](chain&, result_body& r) {
            auto& e = std::get<evaluation_result>(r.contests[0]);
            std::swap(e.counts[0], e.counts[2]);
          }),
          error_code::bad_request, "contests[0]"),
      row("GradeWrong", decrypted, announce, edit<result_body>([](chain&, result_body& r) {
            auto& e = std::get<evaluation_result>(r.contests[1]);
            e.grade = 0;
            e.passed = true;
          }),
          error_code::bad_request, "contests[1]"),
      row("RankWrong", decrypted, announce, edit<result_body>([](chain&, result_body& r) {
            auto& e = std::get<evaluation_result>(r.contests[1]);
            e.rank = *e.rank == 1 ? 2 : 1;
          }),
          error_code::bad_request, "contests[1]"),
      row("ContestMissing", decrypted, announce,
          edit<result_body>([](chain&, result_body& r) { r.contests.pop_back(); }), error_code::bad_request,
          "contests"),
  };
}
INSTANTIATE_TEST_SUITE_P(ApplyResult, RecordRule, ::testing::ValuesIn(result_rules()), row_name);

// ---- revealed, adjourned ------------------------------------------------------------------------

std::vector<rule_case> revealed_rules() {
  return {
      row("BeforeResult", decrypted, next_of([](chain& c) { return c.result(1); }),
          instead([](chain&) { return revealed_body{1}; }), error_code::forbidden, "round"),
      row("Twice", revealed, next_of([](chain&) {
            return round_opened_body{2, 3};
          }),
          instead([](chain&) { return revealed_body{1}; }), error_code::forbidden, "round"),
      row("RoundUnknown", resulted, next_of([](chain&) { return revealed_body{1}; }),
          instead([](chain&) { return revealed_body{3}; }), error_code::not_found, "round"),
  };
}
INSTANTIATE_TEST_SUITE_P(ApplyRevealed, RecordRule, ::testing::ValuesIn(revealed_rules()), row_name);

std::vector<rule_case> adjourned_rules() {
  return {
      row("WhileARoundIsOpen", voting, next_of([](chain& c) { return c.token(1, "m03").body; }),
          instead([](chain&) { return adjourned_body{}; }), error_code::forbidden, "type"),
  };
}
INSTANTIATE_TEST_SUITE_P(ApplyAdjourned, RecordRule, ::testing::ValuesIn(adjourned_rules()), row_name);

// ---- accept_declaration -------------------------------------------------------------------------

struct declaration_case {
  std::string name;
  stage_fn stage;
  std::uint32_t round;
  std::string member;
  std::function<signature(chain&)> sig;
  error_code code;
  std::string field;
};

void PrintTo(const declaration_case& c, std::ostream* os) { *os << c.name; }

std::string declaration_name(const ::testing::TestParamInfo<declaration_case>& info) { return info.param.name; }

class DeclarationRule : public ::testing::TestWithParam<declaration_case> {};

// The valid declaration at every stage used: m02's, signed with the key of its token request.
TEST_P(DeclarationRule, IsRefusedWithItsCodeAndFieldAndChangesNothing) {
  const declaration_case& row = GetParam();
  chain c = row.stage();
  const std::string before = snapshot(c.state());
  const signature bad = row.sig(c);
  session_state s = c.state();
  const status refused = accept_declaration(s, row.round, row.member, bad);
  ASSERT_FALSE(refused.ok()) << "accept_declaration accepted the violating declaration";
  EXPECT_EQ(to_string(refused.error().code), to_string(row.code)) << describe(refused.error());
  EXPECT_EQ(refused.error().field, row.field) << describe(refused.error());
  EXPECT_EQ(snapshot(s), before) << "the refused declaration changed the state";
  const status accepted = accept_declaration(s, 1, "m02", c.voted_sig(1, "m02"));
  EXPECT_TRUE(accepted.ok()) << "the valid declaration is refused too: " << describe(accepted.error());
}

std::vector<declaration_case> declaration_rules() {
  const auto voted_by = [](const char* member, std::uint32_t round) {
    return [member, round](chain& c) { return crypto::sign_voted(c.device(member), c.sid(), round); };
  };
  return {
      {"RoundNotOpen", voting, 2, "m02", voted_by("m02", 2), error_code::round_not_open, "round"},
      {"RoundUnknown", voting, 3, "m02", voted_by("m02", 3), error_code::not_found, "round"},
      {"MemberUnknown", voting, 1, "m09", voted_by("m09", 1), error_code::not_found, "member"},
      {"MemberWithoutToken", voting, 1, "m03", voted_by("m03", 1), error_code::forbidden, "member"},
      {"MemberNeverCheckedIn", voting, 1, "m04", voted_by("m04", 1), error_code::forbidden, "member"},
      {"SignatureAltered", voting, 1, "m02", [](chain& c) { return flipped(c.voted_sig(1, "m02")); },
       error_code::invalid_signature, "sig"},
      {"SignedForAnotherRound", voting, 1, "m02", voted_by("m02", 2), error_code::invalid_signature, "sig"},
      {"SignatureOfAnotherMember", voting, 1, "m02", voted_by("m01", 1), error_code::invalid_signature, "sig"},
      {"SignedWithTheDeviceKeyOfALaterReset", device_reset, 1, "m02", voted_by("m02", 1), error_code::invalid_signature,
       "sig"},
  };
}
INSTANTIATE_TEST_SUITE_P(AcceptDeclaration, DeclarationRule, ::testing::ValuesIn(declaration_rules()),
                         declaration_name);

// ---- behaviours that are not a single refusal ---------------------------------------------------

TEST(AcceptDeclaration, RepeatIsAcceptedAndChangesNothing) {
  chain c = voting();
  session_state s = c.state();
  const std::string before = snapshot(s);
  ASSERT_EQ(s.rounds[0].declarations.size(), 1u);
  const status again = accept_declaration(s, 1, "m01", c.book(1).voted.at("m01"));
  EXPECT_TRUE(again.ok()) << describe(again.error());
  EXPECT_EQ(snapshot(s), before);
}

TEST(AcceptDeclaration, HeldUntilRoundClosedPublishesThem) {
  chain c = all_cast();
  EXPECT_EQ(c.state().rounds[0].declarations.size(), 2u);
  EXPECT_EQ(c.state().length, c.lines().size()) << "declarations must not be chain records";
  c.close(1);
  EXPECT_TRUE(c.state().rounds[0].declarations.empty());
  ASSERT_TRUE(c.state().rounds[0].closed.has_value());
  EXPECT_EQ(c.state().rounds[0].closed->voted.size(), 2u);
}

TEST(ApplyRoundClosed, AcceptsDeclarationSignedWithTheTokenRequestKeyAfterAReset) {
  chain c = device_reset();
  const auto& m02 = c.state().members[1];
  ASSERT_EQ(m02.id, "m02");
  ASSERT_TRUE(m02.device_key.has_value());
  ASSERT_NE(*m02.device_key, c.book(1).voters.at("m02").device.public_key()) << "the reset changed no key";
  const status st = c.apply(c.next(c.closing(1)));
  EXPECT_TRUE(st.ok()) << describe(st.error());
  EXPECT_EQ(c.state().rounds[0].phase, round_phase::closed);
}

TEST(ApplyCheckIn, ResetReplacesTheDeviceKeyWithoutCountingTheMemberTwice) {
  chain c = attending();
  const auto old_key = c.state().members[0].device_key;
  c.reset_device("m01");
  EXPECT_EQ(c.state().present, 3u);
  ASSERT_TRUE(c.state().members[0].device_key.has_value());
  EXPECT_NE(c.state().members[0].device_key, old_key);
  EXPECT_EQ(*c.state().members[0].device_key, c.device("m01").public_key());
}

TEST(ApplyEnvelope, AcceptsARecordStampedWithTheSameTimeAsTheLast) {
  chain c = attending();
  record r = c.next(c.check_in("m04"));
  r.time = c.state().last_time;
  const status st = c.apply(r);
  EXPECT_TRUE(st.ok()) << describe(st.error());
}

TEST(ApplyAdjourned, RefusesEveryRecordAfterwards) {
  chain c = revealed();
  const check_out_body leave{"m03"};
  const round_opened_body open{2, 3};
  for (const record_body& body : std::vector<record_body>{leave, open}) {
    chain still_sitting = c;  // each record is valid before adjourned
    EXPECT_TRUE(still_sitting.apply(still_sitting.next(body)).ok()) << record_type_name(body);
  }
  c.adjourn();
  ASSERT_TRUE(c.state().adjourned);
  const std::string before = snapshot(c.state());
  for (const record_body& body : std::vector<record_body>{leave, open, adjourned_body{}, c.check_in("m04")}) {
    const status st = c.apply(c.next(body));
    ASSERT_FALSE(st.ok()) << record_type_name(body) << " accepted after adjourned";
    EXPECT_EQ(st.error().code, error_code::forbidden) << describe(st.error());
    EXPECT_EQ(st.error().field, "type");
    EXPECT_EQ(snapshot(c.state()), before);
  }
}

TEST(ApplyDecryption, LastTrusteeRecoversTheCountsOfTheBallotsCast) {
  chain c = decrypted();
  const auto& r = c.state().rounds[0];
  ASSERT_TRUE(r.counts.has_value());
  EXPECT_EQ(*r.counts, c.book(1).counts);
  EXPECT_EQ(*r.counts, (std::vector<std::vector<std::uint32_t>>{{1, 1, 0}, {0, 1, 1}}));
  EXPECT_EQ(r.decryptions.size(), 3u);
}

TEST(ApplyResult, AcceptsZeroBallotResultRightAfterClose) {
  chain c = empty_closed();
  const auto& r = c.state().rounds[1];
  ASSERT_TRUE(r.counts.has_value()) << "a round with no ballots has its counts at close";
  EXPECT_EQ(*r.counts, (std::vector<std::vector<std::uint32_t>>{{0, 0, 0}}));
  const result_body announced = c.result(2);
  EXPECT_EQ(announced.ballots, 0u);
  const status st = c.apply(c.next(announced));
  EXPECT_TRUE(st.ok()) << describe(st.error());
  EXPECT_EQ(c.state().rounds[1].phase, round_phase::resulted);
  EXPECT_TRUE(c.state().rounds[1].decryptions.empty());
}

// The server checks a ballot's proofs off the strand and tells apply so; the stateful rules
// still hold.
TEST(ApplyBallot, ServerCheckedBallotStillMeetsTheStatefulRules) {
  chain c = voting();
  const std::string before = snapshot(c.state());
  const status spent = c.apply(c.next(c.book(1).ballots.at("m01")), apply_options{true});
  ASSERT_FALSE(spent.ok());
  EXPECT_EQ(spent.error().code, error_code::token_spent);
  ballot_body copy = c.ballot(1, "m02", m02_choices);
  copy.contests[0].selections[1] = c.book(1).ballots.at("m01").contests[0].selections[1];
  const status duplicate = c.apply(c.next(copy), apply_options{true});
  ASSERT_FALSE(duplicate.ok());
  EXPECT_EQ(duplicate.error().code, error_code::duplicate_ciphertext);
  EXPECT_EQ(snapshot(c.state()), before);
}

// The fixture's records, written as lines and replayed by apply_line from nothing, give the
// same state: the lines are what a verifier would read.
TEST(ApplyLine, ReplayOfTheWrittenLinesRebuildsTheSameState) {
  const chain c = empty_closed();
  session_state replayed;
  for (const auto& line : c.lines()) {
    const status st = apply_line(replayed, line);
    ASSERT_TRUE(st.ok()) << describe(st.error());
  }
  EXPECT_EQ(snapshot(replayed), snapshot(c.state()));
}

}  // namespace
}  // namespace pingyi::core
