// Tests of the session engine (DESIGN.md §3, §4): a whole session through the engine with real
// crypto, replayed line by line through apply_line, and each refusal and idempotent repeat.
#include "pingyi/core/session_engine.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "pingyi/crypto/decryption.hpp"
#include "pingyi/crypto/device.hpp"
#include "pingyi/crypto/init.hpp"
#include "pingyi/crypto/token.hpp"

namespace pingyi::core {
namespace {

// 2026-11-23T09:00:00.000Z
constexpr std::int64_t start_ms = 1'795'424'400'000;

crypto::byte_array<32> seed_of(std::uint8_t n) {
  crypto::byte_array<32> s{};
  s.fill(n);
  return s;
}

std::string text_of(const crypto::failure& f) {
  return std::string(crypto::to_string(f.code)).append(" ").append(f.field);
}
std::string text_of(const error& e) { return std::string(to_string(e.code)).append(" ").append(describe(e)); }

// The value of a result the test needs to go on; a failure ends the test with its error.
template <class T, class E>
T must(crypto::basic_result<T, E> r) {
  if (!r) throw std::runtime_error(text_of(r.error()));
  return std::move(r).value();
}

template <class T>
void expect_refused(const result<T>& r, error_code code, const std::string& field) {
  ASSERT_FALSE(r.ok()) << "expected " << to_string(code) << " on " << field;
  EXPECT_EQ(to_string(r.error().code), to_string(code)) << describe(r.error());
  EXPECT_EQ(r.error().field, field) << describe(r.error());
}

member roster_member(const char* id, const char* name, const char* seat) { return member{id, name, seat}; }

session_setup committee_setup(std::vector<std::string> scrutineers = {"m01", "m02"}) {
  session_setup s;
  s.title = "某县人大常委会2026年第十一次会议";
  s.committee = "某县人民代表大会常务委员会";
  s.date = "2026-11-23";
  s.members = {roster_member("m01", "张伟", "1"), roster_member("m02", "王芳", "2"), roster_member("m03", "李娜", "3"),
               roster_member("m04", "刘洋", "4"), roster_member("m05", "陈静", "5")};
  s.scrutineers = std::move(scrutineers);
  s.quorum = quorum{1, 2};
  return s;
}

round_setup evaluation_round() {
  const std::vector<std::string> grades = {"满意", "基本满意", "不满意"};
  round_setup r;
  r.title = "满意度测评";
  r.kind = round_kind::evaluation;
  r.contests = {round_contest{"d1", "县教育局", grades, 1, 1}, round_contest{"d2", "县卫生健康局", grades, 1, 1}};
  r.rule = default_rule(round_kind::evaluation, 3);
  return r;
}

round_setup motion_round() {
  round_setup r;
  r.title = "表决";
  r.kind = round_kind::motion;
  r.contests = {round_contest{"m1", "议案", {"赞成", "反对", "弃权"}, 1, 1}};
  r.rule = default_rule(round_kind::motion, 3);
  return r;
}

// Round 1's ballots: member → choices, and the counts they must decrypt to.
const std::map<std::string, crypto::ballot_choices>& round_one_votes() {
  static const std::map<std::string, crypto::ballot_choices> votes = {
      {"m01", {{1, 0, 0}, {0, 1, 0}}}, {"m02", {{1, 0, 0}, {0, 0, 1}}}, {"m03", {{0, 1, 0}, {1, 0, 0}}}};
  return votes;
}

// A tablet's ephemeral ballot key and its unblinded token.
struct voter {
  crypto::signing_key ske;
  crypto::point token;
};

class SessionEngine : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { ASSERT_TRUE(crypto::init()); }

  SessionEngine() : keys_(server_keys::generate(key_rng_)) {}

  // --- the session --------------------------------------------------------------------------

  void create(const session_setup& setup = committee_setup(),
              const std::vector<round_setup>& rounds = {evaluation_round(), motion_round()}) {
    auto created = session_engine::create(setup, rounds, keys_, clock(), rng_);
    if (!created) throw std::runtime_error(text_of(created.error()));
    engine_.emplace(std::move(created->first));
    for (const auto& a : created->second) keep(a);
  }

  session_engine& engine() { return *engine_; }
  const crypto::session_id& sid() { return engine().id(); }
  std::uint64_t length() { return engine().state().length; }

  clock_function clock() {
    auto now = now_;
    return [now] { return *now; };
  }

  void keep(const appended& a) {
    ASSERT_EQ(a.rec.seq, lines_.size());
    lines_.push_back(a.line);
    records_.push_back(a);
  }

  void scrutineers_publish_keys() {
    const std::map<std::string, std::string> codes = {{"m01", "0123456789ABCDEFGHJK"}, {"m02", "MNPQRSTVWXYZ01234567"}};
    for (const auto& id : engine().state().genesis->scrutineers) {
      const auto key = must(crypto::trustee_key_from_code(sid(), codes.at(id)));
      const auto proof = crypto::prove_trustee_key(sid(), id, key, rng_);
      keep(must(engine().add_trustee(id, key.key, proof)));
      trustees_.emplace(id, key);
    }
  }

  void seal() { keep(must(engine().seal_election_key())); }

  void check_in(const std::string& member) {
    auto device = crypto::signing_key::generate(rng_);
    const auto sig = crypto::sign_checkin(device, sid(), member);
    auto added = must(engine().check_in(member, device.public_key(), sig));
    ASSERT_TRUE(added.has_value());
    keep(*added);
    devices_.insert_or_assign(member, device);
  }

  void check_in_everyone() {
    for (const auto& m : engine().state().genesis->members) check_in(m.id);
  }

  // Created, keys published and sealed, everyone checked in, round 1 open.
  void open_session() {
    create();
    scrutineers_publish_keys();
    seal();
    check_in_everyone();
    keep(must(engine().open_round(1)));
  }

  crypto::signature request_sig(const std::string& member, std::uint32_t round, const crypto::point& blinded) {
    return crypto::sign_token_request(devices_.at(member), sid(), round, blinded);
  }

  voter take_token(const std::string& member, std::uint32_t round) {
    auto ske = crypto::signing_key::generate(rng_);
    const auto request = must(crypto::blind_token(sid(), round, ske.public_key(), rng_));
    const auto reply =
        must(engine().issue_token(member, round, request.element, request_sig(member, round, request.element)));
    if (!reply.added) throw std::runtime_error("a first token request appended no record");
    keep(*reply.added);
    return voter{ske, must(crypto::unblind_token(keys_.token.pk, request, reply.evaluated, reply.proof))};
  }

  crypto::ballot cast(const voter& v, std::uint32_t round, const crypto::ballot_choices& choices) {
    const auto& specs = engine().state().find_round(round)->specs;
    return must(
        crypto::build_ballot(sid(), round, v.ske, v.token, *engine().state().election_key, specs, choices, rng_));
  }

  crypto::signed_head vote(const voter& v, std::uint32_t round, const crypto::ballot_choices& choices) {
    const auto reply = must(engine().accept_ballot(cast(v, round, choices)));
    if (!reply.added) throw std::runtime_error("a first ballot appended no record");
    keep(*reply.added);
    return reply.receipt;
  }

  bool declare(const std::string& member, std::uint32_t round) {
    return must(engine().accept_declaration(member, round, crypto::sign_voted(devices_.at(member), sid(), round)));
  }

  // A scrutineer's tablet computing its shares from the round_closed it has verified (§3.4).
  decryption_body scrutineer_shares(const std::string& id, std::uint32_t round) {
    const auto& r = *engine().state().find_round(round);
    decryption_body body{round, id, {}};
    for (const auto& sums : r.closed->sums) {
      contest_shares shares{sums.id, {}};
      for (std::size_t i = 0; i < sums.options.size(); ++i) {
        const crypto::share_context ctx{sid(), r.closed_hash, round, sums.id, static_cast<std::uint16_t>(i), id};
        const auto share = crypto::make_share(ctx, trustees_.at(id), sums.options[i].alpha, rng_);
        shares.options.push_back(decryption_share{share.share, share.dleq});
      }
      body.shares.push_back(std::move(shares));
    }
    return body;
  }

  // The whole session of DESIGN.md §1: round 1 with four tokens, three ballots (m04 takes a
  // token and does not vote) and two declarations (m03 does not declare); m05 leaves; round 2
  // without a ballot; adjourned.
  void run_whole_session() {
    open_session();
    std::map<std::string, voter> voters;
    for (const char* m : {"m01", "m02", "m03", "m04"}) voters.emplace(m, take_token(m, 1));
    for (const auto& [member, choices] : round_one_votes()) {
      const auto receipt = vote(voters.at(member), 1, choices);
      ASSERT_TRUE(crypto::verify_head(keys_.signing.public_key(), sid(), receipt.seq, receipt.hash, receipt.sig));
      ASSERT_EQ(receipt.seq + 1, length());
      ASSERT_EQ(receipt.hash, engine().state().head);
    }
    // Declarations arrive in any order; round_closed sorts them.
    ASSERT_TRUE(declare("m02", 1));
    ASSERT_TRUE(declare("m01", 1));
    keep(must(engine().close_round(1)));
    keep(must(engine().decrypt_round(1)));
    keep(must(engine().add_decryption(scrutineer_shares("m02", 1))));
    keep(must(engine().add_decryption(scrutineer_shares("m01", 1))));
    keep(must(engine().publish_result(1)));
    keep(must(engine().reveal(1)));

    keep(must(engine().check_out("m05")));
    keep(must(engine().open_round(2)));
    keep(must(engine().close_round(2)));
    keep(must(engine().publish_result(2)));
    keep(must(engine().reveal(2)));
    keep(must(engine().adjourn()));
  }

  session_state replay() {
    session_state s;
    for (std::size_t i = 0; i < lines_.size(); ++i) {
      const auto st = apply_line(s, lines_[i]);
      if (!st)
        throw std::runtime_error(
            std::string("line ").append(std::to_string(i)).append(": ").append(text_of(st.error())));
    }
    return s;
  }

  crypto::deterministic_random key_rng_{seed_of(1)};
  crypto::deterministic_random rng_{seed_of(2)};
  std::shared_ptr<std::int64_t> now_ = std::make_shared<std::int64_t>(start_ms);
  server_keys keys_;
  std::optional<session_engine> engine_;
  std::vector<std::string> lines_;
  std::vector<appended> records_;
  std::map<std::string, crypto::signing_key> devices_;
  std::map<std::string, crypto::trustee_key> trustees_;
};

// --- create ----------------------------------------------------------------------------------

TEST_F(SessionEngine, CreateRefusesEachBadSetupFieldBeforeDrawingAnything) {
  struct bad_case {
    const char* what;
    std::function<void(session_setup&, std::vector<round_setup>&)> change;
    std::string field;
  };
  const std::vector<bad_case> cases = {
      {"empty roster", [](auto& s, auto&) { s.members.clear(); }, "members"},
      {"duplicate id", [](auto& s, auto&) { s.members[1].id = "m01"; }, "members[1].id"},
      {"\"server\" id", [](auto& s, auto&) { s.members[2].id = "server"; }, "members[2].id"},
      {"empty id", [](auto& s, auto&) { s.members[0].id.clear(); }, "members[0].id"},
      {"65-byte id", [](auto& s, auto&) { s.members[3].id = std::string(65, 'x'); }, "members[3].id"},
      {"invalid UTF-8 name", [](auto& s, auto&) { s.members[0].name = "\xff\xfe"; }, "members[0].name"},
      {"truncated UTF-8 seat", [](auto& s, auto&) { s.members[4].seat = "\xe5\xbc"; }, "members[4].seat"},
      {"title over 1024 bytes", [](auto& s, auto&) { s.title = std::string(1025, 't'); }, "title"},
      {"scrutineer not on the roster",
       [](auto& s, auto&) {
         s.scrutineers = {"m01", "x"};
       },
       "scrutineers[1]"},
      {"scrutineer twice",
       [](auto& s, auto&) {
         s.scrutineers = {"m02", "m02"};
       },
       "scrutineers[1]"},
      {"quorum num 0",
       [](auto& s, auto&) {
         s.quorum = {0, 2};
       },
       "quorum.num"},
      {"quorum den 0",
       [](auto& s, auto&) {
         s.quorum = {1, 0};
       },
       "quorum.den"},
      {"quorum num = den",
       [](auto& s, auto&) {
         s.quorum = {2, 2};
       },
       "quorum.num"},
      {"quorum num > den",
       [](auto& s, auto&) {
         s.quorum = {3, 2};
       },
       "quorum.num"},
      {"contest max above its options", [](auto&, auto& r) { r[0].contests[0].max = 4; }, "rounds[0].contests[0].max"},
      {"contest min above max", [](auto&, auto& r) { r[1].contests[0].min = 2; }, "rounds[1].contests[0].min"},
      {"contest id twice", [](auto&, auto& r) { r[0].contests[1].id = "d1"; }, "rounds[0].contests[1].id"},
      {"rule of another kind", [](auto&, auto& r) { r[1].rule = default_rule(round_kind::evaluation, 3); },
       "rounds[1].rule"},
      {"pass_grades above the options",
       [](auto&, auto& r) {
         r[0].rule = evaluation_rule{4, std::vector<std::uint32_t>{100, 60, 0}};
       },
       "rounds[0].rule.pass_grades"},
  };
  for (const auto& c : cases) {
    session_setup setup = committee_setup();
    std::vector<round_setup> rounds = {evaluation_round(), motion_round()};
    c.change(setup, rounds);
    const auto draws = rng_.draws();
    const auto created = session_engine::create(setup, rounds, keys_, clock(), rng_);
    ASSERT_FALSE(created.ok()) << c.what;
    EXPECT_EQ(to_string(created.error().code), "BAD_REQUEST") << c.what;
    EXPECT_EQ(created.error().field, c.field) << c.what << ": " << describe(created.error());
    EXPECT_EQ(rng_.draws(), draws) << c.what << ": the setup is validated before the nonce is drawn";
  }
}

TEST_F(SessionEngine, CreateWritesGenesisServerTrusteeAndRoundsAndLeavesSealingToTheChair) {
  create(committee_setup({}));
  ASSERT_EQ(records_.size(), 4u);
  const auto& genesis = std::get<genesis_body>(records_[0].rec.body);
  EXPECT_EQ(genesis.protocol, "pingyi/1");
  EXPECT_EQ(genesis.server_key, keys_.signing.public_key());
  EXPECT_EQ(genesis.token_key, keys_.token.pk);
  EXPECT_EQ(genesis.members, committee_setup().members);
  EXPECT_NE(genesis.nonce, crypto::byte_array<32>{});
  EXPECT_EQ(sid(), crypto::line_hash(lines_[0]));

  const auto& server = std::get<trustee_body>(records_[1].rec.body);
  EXPECT_EQ(server.id, "server");
  EXPECT_EQ(server.name, "server");
  EXPECT_EQ(server.key, keys_.trustee.key);
  EXPECT_TRUE(crypto::verify_trustee_key(sid(), "server", server.key, server.proof));

  EXPECT_EQ(std::get<round_body>(records_[2].rec.body).round, 1u);
  EXPECT_EQ(std::get<round_body>(records_[3].rec.body).round, 2u);
  EXPECT_EQ(std::get<round_body>(records_[3].rec.body).kind, round_kind::motion);

  // No scrutineer: still not sealed until the chair says so; then X is the server's key alone.
  EXPECT_FALSE(engine().state().election_key.has_value());
  const auto sealed = must(engine().seal_election_key());
  EXPECT_EQ(std::get<election_key_body>(sealed.rec.body).trustees, std::vector<std::string>{"server"});
  EXPECT_EQ(*engine().state().election_key, keys_.trustee.key);
}

TEST_F(SessionEngine, EveryReturnedLineDecodesToItsRecordAndHashesToItsHash) {
  run_whole_session();
  ASSERT_EQ(records_.size(), lines_.size());
  for (std::size_t i = 0; i < records_.size(); ++i) {
    const auto decoded = decode(records_[i].line);
    ASSERT_TRUE(decoded.ok()) << i << ": " << describe(decoded.error());
    EXPECT_EQ(*decoded, records_[i].rec) << i;
    EXPECT_EQ(records_[i].hash, crypto::line_hash(records_[i].line)) << i;
    EXPECT_EQ(records_[i].rec.prev, i == 0 ? crypto::genesis_prev : records_[i - 1].hash) << i;
  }
  EXPECT_EQ(engine().state().head, records_.back().hash);
  EXPECT_TRUE(engine().state().adjourned);
}

// --- a whole session ---------------------------------------------------------------------------

TEST_F(SessionEngine, WholeSessionPublishesTheCountsOfTheBallotsCast) {
  run_whole_session();
  const auto& r1 = *engine().state().find_round(1);
  ASSERT_TRUE(r1.result.has_value());
  EXPECT_EQ(r1.phase, round_phase::revealed);
  EXPECT_EQ(r1.result->ballots, 3u);
  EXPECT_EQ(r1.result->present, 5u);
  EXPECT_EQ(r1.result->undeclared, 1);  // three ballots, two declarations
  ASSERT_EQ(r1.result->contests.size(), 2u);
  const auto& d1 = std::get<evaluation_result>(r1.result->contests[0]);
  const auto& d2 = std::get<evaluation_result>(r1.result->contests[1]);
  EXPECT_EQ(d1.id, "d1");
  EXPECT_EQ(d1.counts, (std::vector<std::uint32_t>{2, 1, 0}));
  EXPECT_EQ(d1.grade, 0u);
  EXPECT_EQ(d1.rate_bp, 10000u);
  EXPECT_EQ(d1.score_x100, 8666u);  // floor(100 · (2·100 + 1·60) / 3)
  EXPECT_EQ(d1.rank, 1u);
  EXPECT_EQ(d2.counts, (std::vector<std::uint32_t>{1, 1, 1}));
  EXPECT_EQ(d2.grade, 1u);
  EXPECT_EQ(d2.rate_bp, 6666u);
  EXPECT_EQ(d2.score_x100, 5333u);
  EXPECT_EQ(d2.rank, 2u);

  const auto& closed = *r1.closed;
  EXPECT_EQ(closed.tokens, 4u);
  EXPECT_EQ(closed.ballots, 3u);
  ASSERT_EQ(closed.voted.size(), 2u);
  EXPECT_EQ(closed.voted[0].member, "m01");  // sorted, though m02 declared first
  EXPECT_EQ(closed.voted[1].member, "m02");
  EXPECT_EQ(r1.decryptions.size(), 3u);  // server, m01, m02

  // Round 2: no ballot, so no sums and no decryption; its result came straight after close, and
  // m05 had left.
  const auto& r2 = *engine().state().find_round(2);
  ASSERT_TRUE(r2.result.has_value());
  EXPECT_TRUE(r2.closed->sums.empty());
  EXPECT_TRUE(r2.decryptions.empty());
  EXPECT_EQ(r2.result->ballots, 0u);
  EXPECT_EQ(r2.result->present, 4u);
  EXPECT_EQ(r2.result->undeclared, 0);
  const auto& m1 = std::get<motion_result>(r2.result->contests[0]);
  EXPECT_EQ(m1.counts, (std::vector<std::uint32_t>{0, 0, 0}));
  EXPECT_FALSE(m1.passed);
}

TEST_F(SessionEngine, ReplayingEveryReturnedLineGivesTheSameChainAndResults) {
  run_whole_session();
  const session_state replayed = replay();
  const auto& live = engine().state();
  EXPECT_EQ(replayed.length, live.length);
  EXPECT_EQ(replayed.head, live.head);
  EXPECT_EQ(replayed.last_time, live.last_time);
  EXPECT_EQ(replayed.id, live.id);
  EXPECT_EQ(replayed.election_key, live.election_key);
  EXPECT_EQ(replayed.spent_vks.size(), 3u);
  ASSERT_EQ(replayed.rounds.size(), live.rounds.size());
  for (std::size_t k = 0; k < live.rounds.size(); ++k) {
    EXPECT_EQ(replayed.rounds[k].result, live.rounds[k].result) << "round " << k + 1;
    EXPECT_EQ(replayed.rounds[k].closed, live.rounds[k].closed) << "round " << k + 1;
  }
}

TEST_F(SessionEngine, DecryptionBeforeEveryTrusteeLeavesTheResultForbidden) {
  open_session();
  const auto v = take_token("m01", 1);
  vote(v, 1, {{1, 0, 0}, {1, 0, 0}});
  keep(must(engine().close_round(1)));
  const auto before = length();
  expect_refused(engine().publish_result(1), error_code::forbidden, "round");
  keep(must(engine().decrypt_round(1)));
  keep(must(engine().add_decryption(scrutineer_shares("m01", 1))));
  expect_refused(engine().publish_result(1), error_code::forbidden, "round");
  expect_refused(engine().decrypt_round(1), error_code::forbidden, "round");  // the server's share is in
  EXPECT_EQ(length(), before + 2);
  keep(must(engine().add_decryption(scrutineer_shares("m02", 1))));
  const auto result = must(engine().publish_result(1));
  EXPECT_EQ(std::get<evaluation_result>(std::get<result_body>(result.rec.body).contests[0]).counts,
            (std::vector<std::uint32_t>{1, 0, 0}));
}

TEST_F(SessionEngine, RoundWithoutBallotsHasNothingToDecrypt) {
  open_session();
  keep(must(engine().close_round(1)));
  const auto before = length();
  expect_refused(engine().decrypt_round(1), error_code::forbidden, "round");
  EXPECT_EQ(length(), before);
  const auto result = must(engine().publish_result(1));
  const auto& body = std::get<result_body>(result.rec.body);
  EXPECT_EQ(body.ballots, 0u);
  EXPECT_FALSE(std::get<evaluation_result>(body.contests[0]).grade.has_value());
}

// --- idempotent repeats ------------------------------------------------------------------------

TEST_F(SessionEngine, RepeatedCheckInWithTheSameDeviceKeyAppendsNothing) {
  create();
  check_in("m01");
  const auto before = length();
  const auto& device = devices_.at("m01");
  const auto again = must(engine().check_in("m01", device.public_key(), crypto::sign_checkin(device, sid(), "m01")));
  EXPECT_FALSE(again.has_value());
  EXPECT_EQ(length(), before);
  EXPECT_EQ(engine().state().present, 1u);

  // A reset tablet (a new device key) is a new check-in that replaces the key.
  check_in("m01");
  EXPECT_EQ(length(), before + 1);
  EXPECT_EQ(engine().state().find_member("m01")->device_key, devices_.at("m01").public_key());
  EXPECT_EQ(engine().state().present, 1u);
}

TEST_F(SessionEngine, RepeatedTokenRequestGetsTheSameEvaluationWithoutARecord) {
  open_session();
  auto ske = crypto::signing_key::generate(rng_);
  const auto request = must(crypto::blind_token(sid(), 1, ske.public_key(), rng_));
  const auto sig = request_sig("m03", 1, request.element);
  const auto first = must(engine().issue_token("m03", 1, request.element, sig));
  ASSERT_TRUE(first.added.has_value());
  const auto before = length();
  const auto again = must(engine().issue_token("m03", 1, request.element, sig));
  EXPECT_FALSE(again.added.has_value());
  EXPECT_EQ(again.evaluated, first.evaluated);
  EXPECT_EQ(again.proof, first.proof);
  EXPECT_EQ(length(), before);
  EXPECT_TRUE(crypto::unblind_token(keys_.token.pk, request, again.evaluated, again.proof).ok());
}

TEST_F(SessionEngine, SecondTokenWithADifferentBlindedIsAlreadyIssued) {
  open_session();
  take_token("m03", 1);
  const auto before = length();
  auto ske = crypto::signing_key::generate(rng_);
  const auto other = must(crypto::blind_token(sid(), 1, ske.public_key(), rng_));
  expect_refused(engine().issue_token("m03", 1, other.element, request_sig("m03", 1, other.element)),
                 error_code::already_issued, "blinded");
  EXPECT_EQ(length(), before);
}

TEST_F(SessionEngine, IdenticalBallotAgainGetsTheSameReceiptWithoutARecord) {
  open_session();
  const auto v = take_token("m01", 1);
  const auto b = cast(v, 1, {{0, 0, 1}, {0, 1, 0}});
  const auto first = must(engine().accept_ballot(b));
  ASSERT_TRUE(first.added.has_value());
  const auto before = length();

  const auto again = must(engine().accept_ballot(b));
  EXPECT_FALSE(again.added.has_value());
  EXPECT_EQ(again.receipt, first.receipt);
  EXPECT_EQ(length(), before);

  const auto found = must(engine().find_receipt(b));
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(*found, first.receipt);

  // Prepared twice concurrently: the later append answers with the first one's receipt.
  const auto check = must(engine().ballot_check_for(1));
  const auto prepared = must(prepare_ballot(check, b, rng_));
  const auto late = must(engine().append_ballot(prepared));
  EXPECT_FALSE(late.added.has_value());
  EXPECT_EQ(late.receipt, first.receipt);
  EXPECT_EQ(length(), before);
}

TEST_F(SessionEngine, DifferentBallotWithASpentVkIsTokenSpent) {
  open_session();
  const auto v = take_token("m01", 1);
  take_token("m02", 1);  // so that ballots ≤ tokens is not what refuses the second ballot
  vote(v, 1, {{1, 0, 0}, {1, 0, 0}});
  const auto before = length();
  const auto other = cast(v, 1, {{0, 1, 0}, {1, 0, 0}});
  expect_refused(engine().accept_ballot(other), error_code::token_spent, "vk");
  expect_refused(engine().find_receipt(other), error_code::token_spent, "vk");
  const auto prepared = must(prepare_ballot(must(engine().ballot_check_for(1)), other, rng_));
  expect_refused(engine().append_ballot(prepared), error_code::token_spent, "vk");
  EXPECT_EQ(length(), before);
}

// Found by tests/fuzz/ballot_fuzz.cpp: the spent ballot's digest does not cover its signature, so
// the same contents under any other sig used to be answered as the identical ballot, with its
// receipt (tests/fuzz/regressions/ballot/).
TEST_F(SessionEngine, SpentBallotWithAnotherSignatureIsTokenSpentNotItsReceipt) {
  open_session();
  const auto v = take_token("m01", 1);
  take_token("m02", 1);
  const auto b = cast(v, 1, {{1, 0, 0}, {1, 0, 0}});
  ASSERT_TRUE(must(engine().accept_ballot(b)).added.has_value());
  const auto before = length();
  auto forged = b;
  auto sig = forged.sig.bytes();
  sig[0] ^= 1;
  forged.sig = crypto::signature(sig);
  expect_refused(engine().accept_ballot(forged), error_code::token_spent, "vk");
  expect_refused(engine().find_receipt(forged), error_code::token_spent, "vk");
  EXPECT_EQ(length(), before);
}

TEST_F(SessionEngine, RepeatedDeclarationIsAcceptedButNotNew) {
  open_session();
  take_token("m04", 1);
  EXPECT_TRUE(declare("m04", 1));
  EXPECT_FALSE(declare("m04", 1));
  const auto before = length();
  // A member without a token in the round cannot declare.
  check_in("m05");  // a new device key; still no token
  expect_refused(engine().accept_declaration("m05", 1, crypto::sign_voted(devices_.at("m05"), sid(), 1)),
                 error_code::forbidden, "member");
  EXPECT_EQ(length(), before + 1);
  EXPECT_EQ(engine().state().find_round(1)->declarations.size(), 1u);
}

// --- refusals ----------------------------------------------------------------------------------

TEST_F(SessionEngine, PrepareBallotRefusesEachDefectWithItsCodeAndField) {
  open_session();
  const auto a = take_token("m01", 1);
  const auto b = take_token("m02", 1);
  const auto good = cast(a, 1, {{1, 0, 0}, {0, 1, 0}});
  const auto check = must(engine().ballot_check_for(1));
  ASSERT_TRUE(prepare_ballot(check, good, rng_).ok());

  struct defect {
    const char* what;
    std::function<void(crypto::ballot&)> change;
    error_code code;
    std::string field;
  };
  const std::vector<defect> defects = {
      {"cast for another round", [](auto& x) { x.round = 2; }, error_code::round_not_open, "round"},
      {"α repeated within a contest", [](auto& x) { x.contests[1].selections[2] = x.contests[1].selections[0]; },
       error_code::duplicate_ciphertext, "contests[1].selections[2].alpha"},
      {"0/1 proof changed", [](auto& x) { x.contests[0].selections[1].proof.c[0] += crypto::scalar::one(); },
       error_code::invalid_proof, "contests[0].selections[1].proof"},
      {"limit proof changed", [](auto& x) { x.contests[1].limit_proof.s[0] += crypto::scalar::one(); },
       error_code::invalid_proof, "contests[1].limit_proof"},
      {"a contest missing", [](auto& x) { x.contests.pop_back(); }, error_code::bad_request, "contests"},
      {"signature changed",
       [](auto& x) {
         auto raw = x.sig.bytes();
         raw[3] ^= 1;
         x.sig = crypto::signature(raw);
       },
       error_code::invalid_signature, "sig"},
  };
  for (const auto& d : defects) {
    auto bad = good;
    d.change(bad);
    const auto before = length();
    const auto prepared = prepare_ballot(check, bad, rng_);
    ASSERT_FALSE(prepared.ok()) << d.what;
    EXPECT_EQ(to_string(prepared.error().code), to_string(d.code)) << d.what << ": " << describe(prepared.error());
    EXPECT_EQ(prepared.error().field, d.field) << d.what;
    EXPECT_FALSE(engine().accept_ballot(bad).ok()) << d.what;
    EXPECT_EQ(length(), before) << d.what;
  }

  // m01's token under m02's ballot key: a well-formed ballot whose token was never issued for vk.
  const auto borrowed = cast(voter{b.ske, a.token}, 1, {{1, 0, 0}, {0, 1, 0}});
  const auto before = length();
  expect_refused(prepare_ballot(check, borrowed, rng_), error_code::invalid_token, "token");
  expect_refused(engine().accept_ballot(borrowed), error_code::invalid_token, "token");
  EXPECT_EQ(length(), before);
}

TEST_F(SessionEngine, PreparedBallotCarriesATokenProofEveryObserverAccepts) {
  open_session();
  const auto a = take_token("m01", 1);
  const auto b = cast(a, 1, {{1, 0, 0}, {0, 1, 0}});
  const auto body = must(prepare_ballot(must(engine().ballot_check_for(1)), b, rng_));
  EXPECT_EQ(body.vk, b.vk);
  EXPECT_EQ(body.contests, b.contests);
  EXPECT_TRUE(crypto::verify_token(keys_.token.pk, crypto::token_point(sid(), 1, b.vk), b.token, body.token_proof));
}

TEST_F(SessionEngine, ChairCommandsRefuseWhatTheRoundDoesNotAllow) {
  create();
  scrutineers_publish_keys();
  seal();
  const auto before = length();
  expect_refused(engine().open_round(1), error_code::quorum_not_met, "present");
  check_in("m01");
  check_in("m02");
  expect_refused(engine().open_round(1), error_code::quorum_not_met, "present");  // 2 of 5 is not above half
  check_in("m03");
  const auto mid = length();
  EXPECT_EQ(mid, before + 3);
  expect_refused(engine().open_round(9), error_code::not_found, "round");
  expect_refused(engine().close_round(9), error_code::not_found, "round");
  expect_refused(engine().close_round(1), error_code::round_not_open, "round");
  expect_refused(engine().decrypt_round(1), error_code::forbidden, "round");
  expect_refused(engine().publish_result(1), error_code::forbidden, "round");
  expect_refused(engine().reveal(1), error_code::forbidden, "round");
  expect_refused(engine().ballot_check_for(1), error_code::round_not_open, "round");
  keep(must(engine().open_round(1)));
  expect_refused(engine().open_round(2), error_code::forbidden, "round");  // round 1 is open
  expect_refused(engine().adjourn(), error_code::forbidden, "type");
  expect_refused(engine().issue_token("m01", 2, crypto::point::generator(), crypto::signature{}),
                 error_code::round_not_open, "round");
  EXPECT_EQ(length(), mid + 1);
}

TEST_F(SessionEngine, TokenRequestsAreCheckedBeforeAnythingIsAppended) {
  open_session();
  keep(must(engine().check_out("m05")));
  const auto before = length();
  auto ske = crypto::signing_key::generate(rng_);
  const auto request = must(crypto::blind_token(sid(), 1, ske.public_key(), rng_));
  expect_refused(engine().issue_token("x", 1, request.element, request_sig("m01", 1, request.element)),
                 error_code::not_found, "member");
  expect_refused(engine().issue_token("m05", 1, request.element, request_sig("m05", 1, request.element)),
                 error_code::forbidden, "member");
  // Signed by another member's device, or for another round.
  expect_refused(engine().issue_token("m01", 1, request.element, request_sig("m02", 1, request.element)),
                 error_code::invalid_signature, "request_sig");
  expect_refused(engine().issue_token("m01", 1, request.element, request_sig("m01", 2, request.element)),
                 error_code::invalid_signature, "request_sig");
  expect_refused(engine().issue_token("m01", 1, crypto::point::identity(), crypto::signature{}),
                 error_code::invalid_point, "blinded");
  EXPECT_EQ(length(), before);
  EXPECT_TRUE(engine().state().find_round(1)->tokens.empty());
}

TEST_F(SessionEngine, KeyCeremonyRefusesStrangersBadProofsAndAnEarlySeal) {
  create();
  const auto before = length();
  const auto key = must(crypto::trustee_key_from_code(sid(), "0123456789ABCDEFGHJK"));
  expect_refused(engine().seal_election_key(), error_code::forbidden, "trustees");
  expect_refused(engine().add_trustee("x", key.key, crypto::prove_trustee_key(sid(), "x", key, rng_)),
                 error_code::not_found, "member");
  expect_refused(engine().add_trustee("m03", key.key, crypto::prove_trustee_key(sid(), "m03", key, rng_)),
                 error_code::forbidden, "member");
  // A proof made for another trustee id does not verify for this one.
  expect_refused(engine().add_trustee("m01", key.key, crypto::prove_trustee_key(sid(), "m02", key, rng_)),
                 error_code::invalid_proof, "proof");
  EXPECT_EQ(length(), before);
  keep(must(engine().add_trustee("m01", key.key, crypto::prove_trustee_key(sid(), "m01", key, rng_))));
  expect_refused(engine().seal_election_key(), error_code::forbidden, "trustees");  // m02 is missing
  EXPECT_EQ(length(), before + 1);
}

TEST_F(SessionEngine, CheckInRefusesAStrangerAndASignatureOfAnotherMember) {
  create();
  const auto before = length();
  auto device = crypto::signing_key::generate(rng_);
  expect_refused(engine().check_in("x", device.public_key(), crypto::sign_checkin(device, sid(), "x")),
                 error_code::not_found, "member");
  expect_refused(engine().check_in("m01", device.public_key(), crypto::sign_checkin(device, sid(), "m02")),
                 error_code::invalid_signature, "sig");
  expect_refused(engine().check_out("m01"), error_code::forbidden, "member");  // not checked in
  EXPECT_EQ(length(), before);
  EXPECT_EQ(engine().state().present, 0u);
}

TEST_F(SessionEngine, DefineRoundNumbersTheNextRoundAndValidatesIt) {
  create();
  auto bad = motion_round();
  bad.contests[0].options.clear();
  bad.contests[0].min = bad.contests[0].max = 0;
  const auto before = length();
  expect_refused(engine().define_round(bad), error_code::bad_request, "contests[0].options");
  EXPECT_EQ(length(), before);
  const auto added = must(engine().define_round(motion_round()));
  EXPECT_EQ(std::get<round_body>(added.rec.body).round, 3u);
  EXPECT_EQ(engine().state().rounds.size(), 3u);
}

// --- time --------------------------------------------------------------------------------------

TEST_F(SessionEngine, RecordTimeNeverGoesBackwardsWhenTheClockDoes) {
  create();
  EXPECT_EQ(records_.back().rec.time, "2026-11-23T09:00:00.000Z");
  *now_ = start_ms + 61'001;
  check_in("m01");
  EXPECT_EQ(records_.back().rec.time, "2026-11-23T09:01:01.001Z");
  *now_ = start_ms - 3'600'000;  // the wall clock stepped back an hour
  check_in("m02");
  EXPECT_EQ(records_.back().rec.time, "2026-11-23T09:01:01.001Z");
  *now_ = start_ms + 61'002;
  check_in("m03");
  EXPECT_EQ(records_.back().rec.time, "2026-11-23T09:01:01.002Z");
  EXPECT_NO_THROW(replay());
}

TEST(FormatRecordTime, WritesTheCivilDateWithMillisecondsAndClampsToFourDigitYears) {
  const std::vector<std::pair<std::int64_t, std::string>> cases = {
      {0, "1970-01-01T00:00:00.000Z"},
      {951'827'696'789, "2000-02-29T12:34:56.789Z"},
      {1'735'689'599'999, "2024-12-31T23:59:59.999Z"},
      {1'735'689'600'000, "2025-01-01T00:00:00.000Z"},
      {start_ms, "2026-11-23T09:00:00.000Z"},
      {253'402'300'799'999, "9999-12-31T23:59:59.999Z"},
      {253'402'300'800'000, "9999-12-31T23:59:59.999Z"},
      {-1, "1970-01-01T00:00:00.000Z"},
  };
  for (const auto& [ms, text] : cases) {
    EXPECT_EQ(format_record_time(ms), text) << ms;
    EXPECT_TRUE(is_record_time(format_record_time(ms))) << ms;
  }
  EXPECT_TRUE(is_record_time(format_record_time(system_clock_ms())));
  EXPECT_GT(system_clock_ms(), start_ms - 365LL * 86'400'000 * 2);
}

// --- resume ------------------------------------------------------------------------------------

TEST_F(SessionEngine, ResumeContinuesTheChainWithTheSessionsOwnKeys) {
  open_session();
  take_token("m01", 1);
  auto resumed = must(session_engine::resume(replay(), keys_, clock(), rng_));
  EXPECT_EQ(resumed.head(), engine().head());
  EXPECT_TRUE(crypto::verify_head(keys_.signing.public_key(), sid(), resumed.head().seq, resumed.head().hash,
                                  resumed.head().sig));
  const auto closed = must(resumed.close_round(1));
  EXPECT_EQ(closed.rec.seq, length());
  EXPECT_EQ(std::get<round_closed_body>(closed.rec.body).tokens, 1u);
}

TEST_F(SessionEngine, ResumeRefusesKeysThatAreNotTheGenesisKeys) {
  create();
  crypto::deterministic_random other_rng(seed_of(9));
  const server_keys other = server_keys::generate(other_rng);

  struct wrong {
    const char* what;
    server_keys keys;
    std::string field;
  };
  std::vector<wrong> cases;
  cases.push_back({"all other keys", other, "server_key"});
  server_keys token = keys_;
  token.token = other.token;
  cases.push_back({"another token key", token, "token_key"});
  server_keys trustee = keys_;
  trustee.trustee = other.trustee;
  cases.push_back({"another trustee key", trustee, "trustee"});
  server_keys mismatched = keys_;
  mismatched.token.sk = other.token.sk;  // pkT right, skT from elsewhere: tokens would not verify
  cases.push_back({"a token secret that is not pkT's", mismatched, "token_key"});

  for (const auto& c : cases) {
    const auto resumed = session_engine::resume(replay(), c.keys, clock(), rng_);
    ASSERT_FALSE(resumed.ok()) << c.what;
    EXPECT_EQ(to_string(resumed.error().code), "BAD_REQUEST") << c.what;
    EXPECT_EQ(resumed.error().field, c.field) << c.what;
  }
  expect_refused(session_engine::resume(session_state{}, keys_, clock(), rng_), error_code::bad_request, "genesis");
}

}  // namespace
}  // namespace pingyi::core
