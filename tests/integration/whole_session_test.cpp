// A whole committee session through core and the store, in process, on a real SQLite file: the
// key ceremony with two scrutineers, check-ins with real device keys (a check-out and return, a
// device reset), an evaluation of five departments, a motion and a selection — tokens, ballots,
// declarations, close, joint decryption, result, reveal — and the adjournment. Every record is
// stored as the server stores it and acknowledged only once durable. The results must be the
// known choices counted by the rules of DESIGN.md §3.7, and the chain, replayed from the reopened
// file, must give back exactly the state the engine reached.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <future>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "../unit/store/temp_directory.hpp"
#include "pingyi/core/session_engine.hpp"
#include "pingyi/crypto/ballot.hpp"
#include "pingyi/crypto/bytes.hpp"
#include "pingyi/crypto/chain.hpp"
#include "pingyi/crypto/decryption.hpp"
#include "pingyi/crypto/device.hpp"
#include "pingyi/crypto/hash.hpp"
#include "pingyi/crypto/init.hpp"
#include "pingyi/crypto/token.hpp"
#include "pingyi/crypto/trustee.hpp"
#include "pingyi/store/chain_store.hpp"
#include "pingyi/store/replay.hpp"

namespace pingyi {
namespace {

using store::test::temp_directory;

crypto::deterministic_random seeded(std::string_view label) {
  return crypto::deterministic_random(
      crypto::sha256(crypto::as_bytes(std::string("pingyi whole session test ").append(label))));
}

[[noreturn]] void give_up(const std::string& what) {
  std::fprintf(stderr, "whole_session_test: %s\n", what.c_str());
  ADD_FAILURE() << what;
  std::abort();  // the session cannot go on; the failure above says why
}

template <class T>
T must(core::result<T> r, std::string_view what) {
  if (!r) give_up(std::string(what).append(": ").append(core::describe(r.error())));
  return std::move(r).value();
}

template <class T>
T must(crypto::result<T> r, std::string_view what) {
  if (!r)
    give_up(
        std::string(what).append(": ").append(crypto::to_string(r.error().code)).append(" ").append(r.error().field));
  return std::move(r).value();
}

std::string member_id(int i) { return std::string(i < 10 ? "m0" : "m").append(std::to_string(i)); }

// The ballots cast in a round, member by member: choices[k][i] for option i of contest k.
using round_votes = std::map<std::string, crypto::ballot_choices>;

// Σ of the known choices: what the decrypted counts must be.
std::vector<std::vector<std::uint32_t>> tally(const round_votes& votes, std::size_t contests, std::size_t options) {
  std::vector<std::vector<std::uint32_t>> counts(contests, std::vector<std::uint32_t>(options, 0));
  for (const auto& [member, choices] : votes) {
    for (std::size_t k = 0; k < contests; ++k) {
      for (std::size_t i = 0; i < options; ++i) counts[k][i] += choices[k][i];
    }
  }
  return counts;
}

// One choice of `options` per contest, from a row of option indices.
crypto::ballot_choices one_each(std::initializer_list<std::size_t> picks, std::size_t options) {
  crypto::ballot_choices c;
  for (const std::size_t p : picks) {
    c.emplace_back(options, 0);
    c.back()[p] = 1;
  }
  return c;
}

// The meeting: 9 members (m01 … m09), scrutineers m01 and m02, quorum more than 1/2.
//   round 1  evaluation of 5 departments: m01 … m07 take tokens, m01 … m06 vote, m01 … m05 declare
//   then     m08 checks out and back in; m07's tablet is reset (a second check-in, a new key)
//   round 2  motion, 2 items: m01 … m08 take tokens, vote and declare
//   round 3  selection of 1 … 2 of 4 candidates, defined during the session; m09 arrives first:
//            all 9 take tokens and vote, all but m04 declare
//   then     adjourned
class meeting {
 public:
  explicit meeting(const std::filesystem::path& db) : db_path_(db), engine_rng_(seeded("engine")) {
    auto opened = store::chain_store::open(db_path_);
    if (!opened) give_up(store::describe(opened.error()));
    db_.emplace(std::move(opened).value());

    for (int i = 1; i <= 9; ++i) devices_.emplace(member_id(i), device_key(member_id(i)));
    create();
    key_ceremony();
    for (int i = 1; i <= 8; ++i) check_in(member_id(i));

    play_round(1, evaluation_votes(), {"m07"}, {"m06"});

    // Attendance changes between rounds: m08 leaves and comes back; m07's tablet is reset, and
    // round 2 tries m07's old key first.
    commit(must(engine_->check_out("m08"), "check out m08"));
    present_after_check_out = engine_->state().present;
    check_in("m08");
    stale_device_.emplace("m07", devices_.at("m07"));
    m07_key_before_reset = devices_.at("m07").public_key();
    devices_.insert_or_assign("m07", device_key("m07 after reset"));
    m07_key_after_reset = devices_.at("m07").public_key();
    check_in("m07");

    play_round(2, motion_votes(), {}, {});
    check_in("m09");
    define_selection_round();
    play_round(3, selection_votes(), {}, {"m04"});
    commit(must(engine_->adjourn(), "adjourn"));

    final_state = engine_->state();
    final_head = engine_->head();
    db_->close();
    db_.reset();
  }

  [[nodiscard]] const crypto::session_id& sid() const { return engine_->id(); }

  // What the session produced, for the tests to check.
  std::map<std::uint32_t, round_votes> votes;
  std::map<std::uint32_t, core::result_body> results;
  std::map<std::uint32_t, core::round_closed_body> closed;
  std::uint32_t present_after_check_out = 0;
  std::optional<core::error> stale_key_refusal;  // m07's request with its key from before the reset
  std::optional<crypto::verify_key> m07_key_before_reset;
  std::optional<crypto::verify_key> m07_key_after_reset;
  std::uint64_t records_stored = 0;
  core::session_state final_state;
  crypto::signed_head final_head;

  // Fresh server keys equal to the session's: derived from the same seed.
  [[nodiscard]] static core::server_keys server_keys() {
    auto r = seeded("server keys");
    return core::server_keys::generate(r);
  }

 private:
  static crypto::signing_key device_key(std::string_view label) {
    auto r = seeded(std::string("device ").append(label));
    return crypto::signing_key::generate(r);
  }

  static round_votes evaluation_votes() {
    // grades per department d1 … d5: 0 满意, 1 基本满意, 2 不满意
    return {{"m01", one_each({0, 1, 2, 0, 2}, 3)}, {"m02", one_each({0, 1, 2, 1, 2}, 3)},
            {"m03", one_each({0, 0, 2, 1, 1}, 3)}, {"m04", one_each({1, 1, 1, 2, 2}, 3)},
            {"m05", one_each({0, 2, 2, 2, 0}, 3)}, {"m06", one_each({1, 0, 2, 2, 1}, 3)}};
  }
  static round_votes motion_votes() {
    // items a1, a2: 0 赞成, 1 反对, 2 弃权
    return {{"m01", one_each({0, 0}, 3)}, {"m02", one_each({0, 0}, 3)}, {"m03", one_each({0, 0}, 3)},
            {"m04", one_each({0, 0}, 3)}, {"m05", one_each({0, 1}, 3)}, {"m06", one_each({1, 1}, 3)},
            {"m07", one_each({1, 1}, 3)}, {"m08", one_each({2, 2}, 3)}};
  }
  static round_votes selection_votes() {
    auto pick = [](std::initializer_list<std::size_t> chosen) {
      crypto::ballot_choices c(1, std::vector<std::uint8_t>(4, 0));
      for (const std::size_t i : chosen) c[0][i] = 1;
      return c;
    };
    return {{"m01", pick({0, 1})}, {"m02", pick({0})},    {"m03", pick({0, 2})},
            {"m04", pick({1, 2})}, {"m05", pick({0, 1})}, {"m06", pick({1})},
            {"m07", pick({0, 3})}, {"m08", pick({2})},    {"m09", pick({0, 1})}};
  }

  void create() {
    core::session_setup setup;
    setup.title = "某县人大常委会2026年第十一次会议";
    setup.committee = "某县人民代表大会常务委员会";
    setup.date = "2026-11-23";
    const std::array<const char*, 9> names = {"张伟", "王芳", "李娜", "刘洋", "陈静", "杨磊", "赵敏", "黄勇", "周婷"};
    for (int i = 1; i <= 9; ++i) {
      setup.members.push_back(core::member{member_id(i), names[static_cast<std::size_t>(i - 1)], std::to_string(i)});
    }
    setup.scrutineers = {"m01", "m02"};
    setup.quorum = core::quorum{1, 2};

    core::round_setup evaluation;
    evaluation.title = "对政府组成部门的满意度测评";
    evaluation.kind = core::round_kind::evaluation;
    const std::array<const char*, 5> departments = {"县教育局", "县卫生健康局", "县交通运输局", "县农业农村局",
                                                    "县市场监管局"};
    for (std::size_t k = 0; k < departments.size(); ++k) {
      evaluation.contests.push_back(core::round_contest{
          std::string("d").append(std::to_string(k + 1)), departments[k], {"满意", "基本满意", "不满意"}, 1, 1});
    }
    evaluation.rule = core::default_rule(core::round_kind::evaluation, 3);

    core::round_setup motion;
    motion.title = "表决";
    motion.kind = core::round_kind::motion;
    motion.contests.push_back(core::round_contest{"a1", "关于2027年预算的决议", {"赞成", "反对", "弃权"}, 1, 1});
    motion.contests.push_back(core::round_contest{"a2", "关于人事任免的决定", {"赞成", "反对", "弃权"}, 1, 1});
    motion.rule = core::default_rule(core::round_kind::motion, 3);

    auto created = must(
        core::session_engine::create(setup, {evaluation, motion}, server_keys(), core::system_clock_ms, engine_rng_),
        "create");
    engine_.emplace(std::move(created.first));
    commit(created.second);
  }

  void define_selection_round() {
    core::round_setup selection;
    selection.title = "推选明年述职的部门负责人";
    selection.kind = core::round_kind::selection;
    selection.contests.push_back(core::round_contest{"c1", "述职人选", {"甲", "乙", "丙", "丁"}, 1, 2});
    selection.rule = core::default_rule(core::round_kind::selection, 4);
    commit(must(engine_->define_round(selection), "define round 3"));
  }

  void key_ceremony() {
    for (const char* m : {"m01", "m02"}) {
      auto r = seeded(std::string("recovery code ").append(m));
      const std::string code = crypto::generate_recovery_code(r);
      const auto key = must(crypto::trustee_key_from_code(sid(), code), "trustee key");
      const auto proof = crypto::prove_trustee_key(sid(), m, key, r);
      commit(must(engine_->add_trustee(m, key.key, proof), "add trustee"));
      scrutineer_keys_.emplace(m, key);
    }
    commit(must(engine_->seal_election_key(), "seal"));
  }

  void check_in(const std::string& m) {
    const auto& device = devices_.at(m);
    auto added = must(engine_->check_in(m, device.public_key(), crypto::sign_checkin(device, sid(), m)), "check in");
    if (!added) give_up(std::string("check-in of ").append(m).append(" appended nothing"));
    commit(*added);
    // A tablet repeating its hello appends nothing.
    auto repeat = must(engine_->check_in(m, device.public_key(), crypto::sign_checkin(device, sid(), m)), "repeat");
    if (repeat) give_up("a repeated check-in appended a record");
  }

  // One round from open to reveal. Members of `cast` take a token, cast their ballot and
  // declare, except: `token_only` take a token and cast nothing; `silent` cast without declaring.
  void play_round(std::uint32_t n, const round_votes& cast, const std::vector<std::string>& token_only,
                  const std::vector<std::string>& silent) {
    votes[n] = cast;
    commit(must(engine_->open_round(n), "open"));
    const std::vector<crypto::contest_spec> specs = engine_->state().rounds[n - 1].specs;

    std::vector<std::string> holders;
    for (const auto& [m, choices] : cast) holders.push_back(m);
    holders.insert(holders.end(), token_only.begin(), token_only.end());
    for (const auto& m : holders) {
      auto r = seeded(std::string("round ").append(std::to_string(n)).append(" ").append(m));
      const auto& device = devices_.at(m);
      // The tablet: a fresh ballot key, its token blinded and signed with the device key.
      const auto ske = crypto::signing_key::generate(r);
      const auto request = must(crypto::blind_token(sid(), n, ske.public_key(), r), "blind");
      if (stale_device_ && stale_device_->first == m) {
        auto refused = engine_->issue_token(
            m, n, request.element, crypto::sign_token_request(stale_device_->second, sid(), n, request.element));
        if (refused) give_up("a token request signed with a reset device key was accepted");
        stale_key_refusal = refused.error();
        stale_device_.reset();
      }
      auto reply = must(
          engine_->issue_token(m, n, request.element, crypto::sign_token_request(device, sid(), n, request.element)),
          "issue token");
      if (!reply.added) give_up("a new token request appended nothing");
      commit(*reply.added);
      const auto it = cast.find(m);
      if (it == cast.end()) continue;

      const auto token = must(
          crypto::unblind_token(engine_->state().genesis->token_key, request, reply.evaluated, reply.proof), "unblind");
      const auto ballot =
          must(crypto::build_ballot(sid(), n, ske, token, *engine_->state().election_key, specs, it->second, r),
               "build ballot");
      auto receipt = must(engine_->accept_ballot(ballot), "accept ballot");
      if (!receipt.added) give_up("a new ballot appended nothing");
      // The receipt is the signed head at the ballot's own record.
      if (receipt.receipt.seq != receipt.added->rec.seq || receipt.receipt.hash != receipt.added->hash ||
          !crypto::verify_head(engine_->state().genesis->server_key, sid(), receipt.receipt.seq, receipt.receipt.hash,
                               receipt.receipt.sig)) {
        give_up("a ballot's receipt is not the signed head of its record");
      }
      commit(*receipt.added);

      if (std::find(silent.begin(), silent.end(), m) != silent.end()) continue;
      const auto sig = crypto::sign_voted(device, sid(), n);
      if (!must(engine_->accept_declaration(m, n, sig), "declaration")) give_up("a new declaration was a repeat");
      store::write_batch b;
      b.put_declaration(sid(), n, store::declaration{m, sig});
      commit(std::vector<core::appended>{}, std::move(b));
    }

    store::write_batch erase;
    erase.erase_declarations(sid(), n);
    const auto close = must(engine_->close_round(n), "close");
    commit(close, std::move(erase));
    closed[n] = std::get<core::round_closed_body>(close.rec.body);

    // Joint decryption: the server, then each scrutineer from its recovery-code key.
    commit(must(engine_->decrypt_round(n), "server decryption"));
    for (const auto& [id, key] : scrutineer_keys_) {
      core::decryption_body body;
      body.round = n;
      body.trustee = id;
      for (const auto& sums : closed[n].sums) {
        core::contest_shares shares;
        shares.id = sums.id;
        for (std::size_t i = 0; i < sums.options.size(); ++i) {
          const crypto::share_context ctx{sid(), close.hash, n, sums.id, static_cast<std::uint16_t>(i), id};
          const auto share = crypto::make_share(ctx, key, sums.options[i].alpha, engine_rng_);
          shares.options.push_back(core::decryption_share{share.share, share.dleq});
        }
        body.shares.push_back(std::move(shares));
      }
      commit(must(engine_->add_decryption(body), "scrutineer decryption"));
    }

    const auto result = must(engine_->publish_result(n), "result");
    commit(result);
    results[n] = std::get<core::result_body>(result.rec.body);
    commit(must(engine_->reveal(n), "reveal"));
  }

  // One write batch per engine call, as the server does; returns once the batch is durable
  // (a record is acknowledged only after the commit that holds it returned).
  void commit(const std::vector<core::appended>& records, store::write_batch batch = {}) {
    for (const auto& a : records) {
      if (a.rec.seq == 0) {
        if (batch.create_session(a.line) != a.hash) give_up("the genesis line does not hash to its id");
      } else {
        batch.append(sid(), a.rec.seq, a.line);
      }
    }
    auto durable = std::make_shared<std::promise<store::status>>();
    auto done = durable->get_future();
    if (auto s = db_->write(std::move(batch), [durable](const store::status& s) { durable->set_value(s); }); !s) {
      give_up(store::describe(s.error()));
    }
    if (auto s = done.get(); !s) give_up(store::describe(s.error()));
    records_stored += records.size();
  }
  void commit(const core::appended& a, store::write_batch batch = {}) {
    commit(std::vector<core::appended>{a}, std::move(batch));
  }

  std::filesystem::path db_path_;
  std::optional<store::chain_store> db_;
  crypto::deterministic_random engine_rng_;
  std::optional<core::session_engine> engine_;
  std::map<std::string, crypto::signing_key> devices_;
  std::map<std::string, crypto::trustee_key> scrutineer_keys_;
  std::optional<std::pair<std::string, crypto::signing_key>> stale_device_;
};

// The session is played once; each test checks one part of what it left behind.
class WholeSession : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    ASSERT_TRUE(crypto::init());
    dir_ = std::make_unique<temp_directory>();
    played_ = std::make_unique<meeting>(db_path());
  }
  static void TearDownTestSuite() {
    played_.reset();
    dir_.reset();
  }

  static std::filesystem::path db_path() { return *dir_ / "pingyi.db"; }
  static const meeting& played() { return *played_; }

  static store::chain_store reopen() {
    auto s = store::chain_store::open(db_path());
    if (!s) give_up(store::describe(s.error()));
    return std::move(s).value();
  }

  template <class Result>
  static const Result& contest(std::uint32_t round, std::size_t k) {
    return std::get<Result>(played().results.at(round).contests.at(k));
  }

 private:
  static inline std::unique_ptr<temp_directory> dir_;
  static inline std::unique_ptr<meeting> played_;
};

TEST_F(WholeSession, EvaluationCountsGradesRatesAndRanksTheKnownBallots) {
  const auto counts = tally(played().votes.at(1), 5, 3);
  struct expected {
    std::uint32_t grade;
    bool passed;
    std::uint32_t rate_bp;
    std::uint64_t score_x100;
    std::uint32_t rank;
  };
  // counts d1 [4,2,0]  d2 [2,3,1]  d3 [0,1,5]  d4 [1,2,3]  d5 [1,2,3]; 6 ballots, weights 100/60/0
  const std::array<expected, 5> want = {{{0, true, 10000, 8666, 1},
                                         {1, true, 8333, 6333, 2},
                                         {2, false, 1666, 1000, 5},
                                         {2, false, 5000, 3666, 3},
                                         {2, false, 5000, 3666, 3}}};
  ASSERT_EQ(played().results.at(1).contests.size(), 5u);
  EXPECT_EQ(played().results.at(1).ballots, 6u);
  for (std::size_t k = 0; k < 5; ++k) {
    SCOPED_TRACE(testing::Message() << "d" << k + 1);
    const auto& c = contest<core::evaluation_result>(1, k);
    EXPECT_EQ(c.id, std::string("d").append(std::to_string(k + 1)));
    EXPECT_EQ(c.counts, counts[k]);
    EXPECT_EQ(c.grade, want[k].grade);
    EXPECT_EQ(c.passed, want[k].passed);
    EXPECT_EQ(c.rate_bp, want[k].rate_bp);
    EXPECT_EQ(c.score_x100, want[k].score_x100);
    EXPECT_EQ(c.rank, want[k].rank);
  }
  // The expectations above were worked out by hand from these counts.
  EXPECT_EQ(counts, (std::vector<std::vector<std::uint32_t>>{{4, 2, 0}, {2, 3, 1}, {0, 1, 5}, {1, 2, 3}, {1, 2, 3}}));
}

TEST_F(WholeSession, MotionPassesOnlyWithMoreThanHalfOfAllMembers) {
  const auto counts = tally(played().votes.at(2), 2, 3);
  const auto& a1 = contest<core::motion_result>(2, 0);
  const auto& a2 = contest<core::motion_result>(2, 1);
  EXPECT_EQ(a1.counts, counts[0]);
  EXPECT_EQ(a2.counts, counts[1]);
  EXPECT_EQ(a1.counts, (std::vector<std::uint32_t>{5, 2, 1}));
  EXPECT_EQ(a2.counts, (std::vector<std::uint32_t>{4, 3, 1}));
  // 9 members: 5 赞成 is more than half of them, 4 is not (though half of the 8 ballots).
  EXPECT_TRUE(a1.passed);
  EXPECT_FALSE(a2.passed);
}

TEST_F(WholeSession, SelectionSelectsTheCandidatesWithMoreThanHalfTheBallots) {
  const auto counts = tally(played().votes.at(3), 1, 4);
  const auto& c1 = contest<core::selection_result>(3, 0);
  EXPECT_EQ(c1.counts, counts[0]);
  EXPECT_EQ(c1.counts, (std::vector<std::uint32_t>{6, 5, 3, 1}));
  // 9 ballots: 6 and 5 are more than half; 3 and 1 are not.
  EXPECT_EQ(c1.selected, (std::vector<std::uint32_t>{0, 1}));
  EXPECT_TRUE(c1.tied.empty());
}

TEST_F(WholeSession, ResultsCountBallotsPresentAndUndeclared) {
  struct expected {
    std::uint32_t present, tokens, ballots, declared;
    std::int64_t undeclared;
  };
  const std::map<std::uint32_t, expected> want = {
      {1, {8, 7, 6, 5, 1}},  // m07 took a token and cast nothing; m06 cast without declaring
      {2, {8, 8, 8, 8, 0}},
      {3, {9, 9, 9, 8, 1}},  // m04 cast without declaring
  };
  for (const auto& [n, w] : want) {
    SCOPED_TRACE(testing::Message() << "round " << n);
    const auto& closed = played().closed.at(n);
    const auto& result = played().results.at(n);
    EXPECT_EQ(closed.present, w.present);
    EXPECT_EQ(closed.tokens, w.tokens);
    EXPECT_EQ(closed.ballots, w.ballots);
    EXPECT_EQ(closed.voted.size(), w.declared);
    EXPECT_EQ(result.ballots, w.ballots);
    EXPECT_EQ(result.present, w.present);
    EXPECT_EQ(result.undeclared, w.undeclared);
    for (std::size_t i = 1; i < closed.voted.size(); ++i) EXPECT_LT(closed.voted[i - 1].member, closed.voted[i].member);
  }
}

TEST_F(WholeSession, FollowsACheckOutAndADeviceReset) {
  EXPECT_EQ(played().present_after_check_out, 7u);
  ASSERT_TRUE(played().stale_key_refusal.has_value());
  EXPECT_EQ(played().stale_key_refusal->code, core::error_code::invalid_signature);
  const auto* m07 = played().final_state.find_member("m07");
  ASSERT_NE(m07, nullptr);
  ASSERT_TRUE(played().m07_key_after_reset.has_value());
  EXPECT_FALSE(played().m07_key_before_reset == played().m07_key_after_reset);
  EXPECT_TRUE(m07->device_key == played().m07_key_after_reset);
  EXPECT_EQ(played().final_state.present, 9u);
  EXPECT_TRUE(played().final_state.adjourned);
}

TEST_F(WholeSession, ReplayOfTheReopenedStoreGivesTheStateTheEngineReached) {
  auto db = reopen();
  auto replayed = store::replay_session(db, played().final_state.id);
  ASSERT_TRUE(replayed.ok()) << replayed.error().message();
  const core::session_state& a = *replayed;
  const core::session_state& b = played().final_state;

  EXPECT_EQ(a.length, b.length);
  EXPECT_EQ(a.length, played().records_stored);
  EXPECT_TRUE(a.head == b.head);
  EXPECT_EQ(a.last_time, b.last_time);
  EXPECT_TRUE(a.genesis == b.genesis);
  EXPECT_EQ(a.present, b.present);
  ASSERT_EQ(a.members.size(), b.members.size());
  for (std::size_t i = 0; i < a.members.size(); ++i) {
    EXPECT_EQ(a.members[i].present, b.members[i].present) << a.members[i].id;
    EXPECT_TRUE(a.members[i].device_key == b.members[i].device_key) << a.members[i].id;
  }
  ASSERT_EQ(a.trustees.size(), 3u);
  ASSERT_EQ(b.trustees.size(), 3u);
  for (std::size_t i = 0; i < a.trustees.size(); ++i) {
    EXPECT_EQ(a.trustees[i].id, b.trustees[i].id);
    EXPECT_TRUE(a.trustees[i].key == b.trustees[i].key) << a.trustees[i].id;
  }
  ASSERT_TRUE(a.election_key.has_value());
  EXPECT_TRUE(a.election_key == b.election_key);
  ASSERT_EQ(a.rounds.size(), 3u);
  ASSERT_EQ(b.rounds.size(), 3u);
  for (std::size_t n = 0; n < a.rounds.size(); ++n) {
    SCOPED_TRACE(testing::Message() << "round " << n + 1);
    const auto& x = a.rounds[n];
    const auto& y = b.rounds[n];
    EXPECT_TRUE(x.definition == y.definition);
    EXPECT_EQ(x.phase, core::round_phase::revealed);
    EXPECT_EQ(y.phase, core::round_phase::revealed);
    EXPECT_TRUE(x.closed == y.closed);
    EXPECT_TRUE(x.closed == played().closed.at(static_cast<std::uint32_t>(n + 1)));
    EXPECT_TRUE(x.closed_hash == y.closed_hash);
    EXPECT_TRUE(x.decryptions == y.decryptions);
    EXPECT_EQ(x.decryptions.size(), 3u);
    EXPECT_EQ(x.counts, y.counts);
    EXPECT_TRUE(x.result == y.result);
    EXPECT_TRUE(x.result == played().results.at(static_cast<std::uint32_t>(n + 1)));
    EXPECT_EQ(x.tokens.size(), y.tokens.size());
    EXPECT_EQ(x.ballots, y.ballots);
  }
  EXPECT_EQ(a.spent_vks.size(), b.spent_vks.size());
  EXPECT_EQ(a.open_round, std::nullopt);
  EXPECT_TRUE(a.adjourned);

  // The server resumes on the replayed state with its keys and signs the same head.
  auto rng = seeded("resumed engine");
  auto resumed =
      core::session_engine::resume(std::move(replayed).value(), meeting::server_keys(), core::system_clock_ms, rng);
  ASSERT_TRUE(resumed.ok()) << core::describe(resumed.error());
  EXPECT_EQ(resumed->head(), played().final_head);
  // Nothing follows adjourned.
  EXPECT_FALSE(resumed->check_out("m01").ok());
}

TEST_F(WholeSession, LeavesNoDeclarationStoredOnceEveryRoundClosed) {
  auto db = reopen();
  for (std::uint32_t n = 1; n <= 3; ++n) {
    auto stored = db.list_declarations(played().final_state.id, n);
    ASSERT_TRUE(stored.ok()) << store::describe(stored.error());
    EXPECT_TRUE(stored->empty()) << "round " << n;
  }
}

TEST_F(WholeSession, ReplaysEverySessionOfTheStore) {
  auto db = reopen();
  auto all = store::replay_all(db);
  ASSERT_TRUE(all.ok()) << all.error().message();
  ASSERT_EQ(all->size(), 1u);
  EXPECT_TRUE(all->front().head == played().final_state.head);
}

}  // namespace
}  // namespace pingyi
