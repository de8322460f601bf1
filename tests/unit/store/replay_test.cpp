// Start-up replay on real SQLite files: a chain written by core's engine replays to the state
// the engine had, and a chain damaged on disk — a line's bytes, a line with its hash, a gap, a
// record apply refuses, a stored declaration — stops the replay at the session and seq concerned.
#include "pingyi/store/replay.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "pingyi/core/session_engine.hpp"
#include "pingyi/crypto/ballot.hpp"
#include "pingyi/crypto/bytes.hpp"
#include "pingyi/crypto/device.hpp"
#include "pingyi/crypto/hash.hpp"
#include "pingyi/crypto/init.hpp"
#include "pingyi/crypto/token.hpp"
#include "pingyi/store/chain_store.hpp"
#include "temp_directory.hpp"

namespace pingyi::store {
namespace {

using test::temp_directory;

crypto::deterministic_random seeded(std::string_view label) {
  return crypto::deterministic_random(
      crypto::sha256(crypto::as_bytes(std::string("pingyi replay test ").append(label))));
}

template <class T>
T must(core::result<T> r) {
  if (!r) {
    ADD_FAILURE() << core::describe(r.error());
    std::abort();
  }
  return std::move(r).value();
}

// write() and wait for the callback: what the server does before acknowledging.
status write_and_wait(chain_store& store, write_batch batch) {
  auto done = std::make_shared<std::promise<status>>();
  auto future = done->get_future();
  if (auto s = store.write(std::move(batch), [done](const status& s) { done->set_value(s); }); !s) return s;
  return future.get();
}

// A session played through core's engine with every record stored as the server stores it:
// members m1 … m5, no scrutineer (the server is the only trustee), round 1 a motion played to
// the end (revealed), round 2 an evaluation left open with ballots and declarations in it.
class played_session {
 public:
  played_session(chain_store& store, std::string_view label)
      : store_(store), label_(label), rng_(seeded(std::string(label).append(" engine"))) {
    core::session_setup setup;
    setup.title = std::string("会议 ").append(label);
    setup.committee = "常务委员会";
    setup.date = "2026-11-23";
    for (int i = 1; i <= 5; ++i) {
      const std::string id = std::string("m").append(std::to_string(i));
      setup.members.push_back(core::member{id, std::string("委员").append(std::to_string(i)), std::to_string(i)});
    }
    setup.quorum = core::quorum{1, 2};

    core::round_setup motion;
    motion.title = "表决";
    motion.kind = core::round_kind::motion;
    motion.contests.push_back(core::round_contest{"a1", "议案", {"赞成", "反对", "弃权"}, 1, 1});
    motion.rule = core::default_rule(core::round_kind::motion, 3);
    core::round_setup evaluation;
    evaluation.title = "测评";
    evaluation.kind = core::round_kind::evaluation;
    for (const char* id : {"d1", "d2"}) {
      evaluation.contests.push_back(core::round_contest{id, id, {"满意", "基本满意", "不满意"}, 1, 1});
    }
    evaluation.rule = core::default_rule(core::round_kind::evaluation, 3);

    auto keys_rng = seeded(std::string(label).append(" keys"));
    // A fixed clock a second apart per record: the test can alter a time and stay in order.
    auto now = std::make_shared<std::int64_t>(1'795'000'000'000);
    auto created = must(core::session_engine::create(
        setup, {motion, evaluation}, core::server_keys::generate(keys_rng), [now] { return *now += 1000; }, rng_));
    engine_.emplace(std::move(created.first));
    put(created.second);
    put(must(engine_->seal_election_key()));
    for (int i = 1; i <= 5; ++i) {
      const std::string id = std::string("m").append(std::to_string(i));
      const auto device = device_of(id);
      auto added = must(engine_->check_in(id, device.public_key(), crypto::sign_checkin(device, sid(), id)));
      put(*added);
    }

    play_open(1, {"m1", "m2", "m3", "m4"}, {"m1", "m2", "m3"});
    write_batch erase;
    erase.erase_declarations(sid(), 1);
    put(must(engine_->close_round(1)), std::move(erase));
    put(must(engine_->decrypt_round(1)));
    put(must(engine_->publish_result(1)));
    put(must(engine_->reveal(1)));

    play_open(2, {"m1", "m2", "m3"}, {"m1", "m2"});
  }

  [[nodiscard]] const crypto::session_id& sid() const { return engine_->id(); }
  [[nodiscard]] const core::session_state& state() const { return engine_->state(); }
  [[nodiscard]] const std::vector<std::string>& lines() const { return lines_; }

  // The seq of the first record of a type ("check_in", "ballot" …).
  [[nodiscard]] std::uint64_t first_seq_of(std::string_view type) const {
    const std::string tag = std::string(R"("type":")").append(type).append(R"(")");
    for (std::size_t i = 0; i < lines_.size(); ++i) {
      if (lines_[i].find(tag) != std::string::npos) return i;
    }
    ADD_FAILURE() << "no " << type << " record";
    return 0;
  }

  // Each member's tablet key, derived from the member id.
  [[nodiscard]] crypto::signing_key device_of(std::string_view member) const {
    auto r = seeded(std::string(label_).append(" device ").append(member));
    return crypto::signing_key::generate(r);
  }

  // The next record after the chain's head, as the engine would frame it, with any body: for
  // records the engine itself would refuse to build.
  [[nodiscard]] std::string next_line(core::record_body body) const {
    const auto& s = engine_->state();
    return core::encode(core::record{s.length, s.head, "2030-01-01T00:00:00.000Z", std::move(body)});
  }

 private:
  // Opens round n: tokens for `holders`, ballots and stored declarations for `voters`.
  void play_open(std::uint32_t n, const std::vector<std::string>& holders, const std::vector<std::string>& voters) {
    put(must(engine_->open_round(n)));
    for (const auto& m : holders) {
      auto r = seeded(std::string(label_).append(" round ").append(std::to_string(n)).append(m));
      const auto ske = crypto::signing_key::generate(r);
      auto request = crypto::blind_token(sid(), n, ske.public_key(), r);
      ASSERT_TRUE(request.ok());
      const auto device = device_of(m);
      auto reply = must(
          engine_->issue_token(m, n, request->element, crypto::sign_token_request(device, sid(), n, request->element)));
      ASSERT_TRUE(reply.added.has_value());
      put(*reply.added);
      if (std::find(voters.begin(), voters.end(), m) == voters.end()) continue;

      auto token = crypto::unblind_token(state().genesis->token_key, *request, reply.evaluated, reply.proof);
      ASSERT_TRUE(token.ok());
      const auto& round = state().rounds[n - 1];
      crypto::ballot_choices choices(round.specs.size(), std::vector<std::uint8_t>(3, 0));
      for (std::size_t k = 0; k < choices.size(); ++k) choices[k][(k + m.back()) % 3] = 1;
      auto cast = crypto::build_ballot(sid(), n, ske, *token, *state().election_key, round.specs, choices, r);
      ASSERT_TRUE(cast.ok());
      auto receipt = must(engine_->accept_ballot(*cast));
      ASSERT_TRUE(receipt.added.has_value());
      put(*receipt.added);

      const auto sig = crypto::sign_voted(device, sid(), n);
      ASSERT_TRUE(must(engine_->accept_declaration(m, n, sig)));
      write_batch b;
      b.put_declaration(sid(), n, declaration{m, sig});
      ASSERT_TRUE(write_and_wait(store_, std::move(b)).ok());
    }
  }

  void put(const std::vector<core::appended>& records, write_batch batch = {}) {
    for (const auto& a : records) {
      if (a.rec.seq == 0) {
        EXPECT_EQ(batch.create_session(a.line), a.hash);
      } else {
        batch.append(engine_->id(), a.rec.seq, a.line);
      }
      lines_.push_back(a.line);
    }
    const status s = write_and_wait(store_, std::move(batch));
    ASSERT_TRUE(s.ok()) << describe(s.error());
  }
  void put(const core::appended& a, write_batch batch = {}) { put(std::vector<core::appended>{a}, std::move(batch)); }

  chain_store& store_;
  std::string label_;
  crypto::deterministic_random rng_;
  std::optional<core::session_engine> engine_;
  std::vector<std::string> lines_;
};

// Every field of two states, as far as they can be compared.
void expect_same_state(const core::session_state& a, const core::session_state& b) {
  EXPECT_EQ(a.length, b.length);
  EXPECT_TRUE(a.head == b.head);
  EXPECT_EQ(a.last_time, b.last_time);
  EXPECT_TRUE(a.id == b.id);
  EXPECT_TRUE(a.genesis == b.genesis);
  ASSERT_EQ(a.members.size(), b.members.size());
  for (std::size_t i = 0; i < a.members.size(); ++i) {
    EXPECT_EQ(a.members[i].id, b.members[i].id);
    EXPECT_TRUE(a.members[i].device_key == b.members[i].device_key) << a.members[i].id;
    EXPECT_EQ(a.members[i].present, b.members[i].present) << a.members[i].id;
  }
  EXPECT_EQ(a.member_index, b.member_index);
  EXPECT_EQ(a.present, b.present);
  ASSERT_EQ(a.trustees.size(), b.trustees.size());
  for (std::size_t i = 0; i < a.trustees.size(); ++i) {
    EXPECT_EQ(a.trustees[i].id, b.trustees[i].id);
    EXPECT_TRUE(a.trustees[i].key == b.trustees[i].key);
  }
  EXPECT_TRUE(a.election_key == b.election_key);
  ASSERT_EQ(a.rounds.size(), b.rounds.size());
  for (std::size_t n = 0; n < a.rounds.size(); ++n) {
    SCOPED_TRACE(testing::Message() << "round " << n + 1);
    const auto& x = a.rounds[n];
    const auto& y = b.rounds[n];
    EXPECT_TRUE(x.definition == y.definition);
    EXPECT_TRUE(x.shapes == y.shapes);
    EXPECT_EQ(x.phase, y.phase);
    EXPECT_EQ(x.present_at_open, y.present_at_open);
    ASSERT_EQ(x.tokens.size(), y.tokens.size());
    for (const auto& [member, t] : x.tokens) {
      const auto it = y.tokens.find(member);
      ASSERT_NE(it, y.tokens.end()) << member;
      EXPECT_TRUE(t.device_key == it->second.device_key && t.blinded == it->second.blinded &&
                  t.evaluated == it->second.evaluated && t.proof == it->second.proof)
          << member;
    }
    EXPECT_TRUE(x.declarations == y.declarations);
    EXPECT_EQ(x.ballots, y.ballots);
    EXPECT_TRUE(x.sums == y.sums);
    EXPECT_TRUE(x.alphas == y.alphas);
    EXPECT_TRUE(x.closed == y.closed);
    EXPECT_TRUE(x.closed_hash == y.closed_hash);
    EXPECT_TRUE(x.decryptions == y.decryptions);
    EXPECT_EQ(x.counts, y.counts);
    EXPECT_TRUE(x.result == y.result);
  }
  EXPECT_EQ(a.open_round, b.open_round);
  ASSERT_EQ(a.spent_vks.size(), b.spent_vks.size());
  for (const auto& [vk, spent] : a.spent_vks) {
    const auto it = b.spent_vks.find(vk);
    ASSERT_NE(it, b.spent_vks.end());
    EXPECT_EQ(spent.seq, it->second.seq);
    EXPECT_TRUE(spent.hash == it->second.hash && spent.digest == it->second.digest);
  }
  EXPECT_EQ(a.adjourned, b.adjourned);
}

// A raw SQLite connection to the closed store's file: how damage gets there in real life.
class raw_db {
 public:
  explicit raw_db(const std::filesystem::path& p) {
    if (sqlite3_open_v2(p.c_str(), &db_, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) ADD_FAILURE() << "open " << p;
  }
  ~raw_db() { sqlite3_close_v2(db_); }
  raw_db(const raw_db&) = delete;
  raw_db& operator=(const raw_db&) = delete;

  // Rewrites a stored line, and its stored hash when `hash` is given. The schema's triggers
  // forbid this to the store; another program can drop them.
  void rewrite(const crypto::session_id& sid, std::uint64_t seq, const std::string& line,
               std::optional<crypto::chain_hash> hash) {
    ASSERT_EQ(exec("DROP TRIGGER IF EXISTS chain_is_append_only_update"), SQLITE_OK);
    const char* sql = hash ? "UPDATE chain SET line = ?1, hash = ?4 WHERE session = ?2 AND seq = ?3"
                           : "UPDATE chain SET line = ?1 WHERE session = ?2 AND seq = ?3";
    sqlite3_stmt* s = nullptr;
    ASSERT_EQ(sqlite3_prepare_v2(db_, sql, -1, &s, nullptr), SQLITE_OK);
    sqlite3_bind_text(s, 1, line.data(), static_cast<int>(line.size()), SQLITE_TRANSIENT);
    sqlite3_bind_blob(s, 2, sid.data(), static_cast<int>(sid.size()), SQLITE_TRANSIENT);
    sqlite3_bind_int64(s, 3, static_cast<sqlite3_int64>(seq));
    if (hash) sqlite3_bind_blob(s, 4, hash->data(), static_cast<int>(hash->size()), SQLITE_TRANSIENT);
    EXPECT_EQ(sqlite3_step(s), SQLITE_DONE);
    sqlite3_finalize(s);
    EXPECT_EQ(sqlite3_changes(db_), 1);
  }

  void remove(const crypto::session_id& sid, std::uint64_t seq) {
    ASSERT_EQ(exec("DROP TRIGGER IF EXISTS chain_is_append_only_delete"), SQLITE_OK);
    sqlite3_stmt* s = nullptr;
    ASSERT_EQ(sqlite3_prepare_v2(db_, "DELETE FROM chain WHERE session = ?1 AND seq = ?2", -1, &s, nullptr), SQLITE_OK);
    sqlite3_bind_blob(s, 1, sid.data(), static_cast<int>(sid.size()), SQLITE_TRANSIENT);
    sqlite3_bind_int64(s, 2, static_cast<sqlite3_int64>(seq));
    EXPECT_EQ(sqlite3_step(s), SQLITE_DONE);
    sqlite3_finalize(s);
    EXPECT_EQ(sqlite3_changes(db_), 1);
  }

 private:
  int exec(const char* sql) { return sqlite3_exec(db_, sql, nullptr, nullptr, nullptr); }
  sqlite3* db_ = nullptr;
};

class Replay : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { ASSERT_TRUE(crypto::init()); }

  chain_store& store() { return *store_; }
  void close_store() { store_.reset(); }
  void reopen_store() {
    auto s = chain_store::open(db_);
    ASSERT_TRUE(s.ok()) << describe(s.error());
    store_.emplace(std::move(s).value());
  }

  // Expects a failure that names the session and seq, in the fields and in the message.
  static void expect_failure_at(const replay_failure& f, const crypto::session_id& sid, std::uint64_t seq) {
    EXPECT_TRUE(f.session == sid);
    EXPECT_EQ(f.seq, seq);
    EXPECT_EQ(f.store_error.code, error_code::corrupt) << describe(f.store_error);
    const std::string message = f.message();
    EXPECT_NE(message.find(crypto::to_hex(sid)), std::string::npos) << message;
    EXPECT_NE(message.find(std::string("record ").append(std::to_string(seq)).append(":")), std::string::npos)
        << message;
  }

  temp_directory dir_;
  std::filesystem::path db_ = dir_ / "pingyi.db";
  std::optional<chain_store> store_ = [this] {
    auto s = chain_store::open(db_);
    if (!s) ADD_FAILURE() << describe(s.error());
    return std::optional<chain_store>(std::move(s).value());
  }();
};

TEST_F(Replay, GivesTheStateOfFoldingTheLinesAndTheStoredDeclarations) {
  played_session played(store(), "fold");
  close_store();
  reopen_store();

  auto replayed = replay_session(store(), played.sid());
  ASSERT_TRUE(replayed.ok()) << replayed.error().message();

  core::session_state folded;
  for (const auto& line : played.lines()) ASSERT_TRUE(core::apply_line(folded, line).ok());
  ASSERT_TRUE(folded.open_round.has_value());
  for (const char* m : {"m1", "m2"}) {
    ASSERT_TRUE(core::accept_declaration(folded, 2, m, crypto::sign_voted(played.device_of(m), played.sid(), 2)).ok());
  }

  EXPECT_EQ(replayed->length, played.lines().size());
  EXPECT_EQ(replayed->rounds[0].phase, core::round_phase::revealed);
  EXPECT_EQ(replayed->rounds[1].ballots, 2u);
  expect_same_state(*replayed, folded);
  // And the state the engine had when it wrote them.
  expect_same_state(*replayed, played.state());
}

TEST_F(Replay, RestoresTheDeclarationsOfTheOpenRound) {
  played_session played(store(), "declarations");
  close_store();
  reopen_store();

  auto replayed = replay_session(store(), played.sid());
  ASSERT_TRUE(replayed.ok()) << replayed.error().message();
  ASSERT_EQ(replayed->open_round, 2u);
  const auto& declared = replayed->rounds[1].declarations;
  ASSERT_EQ(declared.size(), 2u);
  for (const char* m : {"m1", "m2"}) {
    const auto it = declared.find(m);
    ASSERT_NE(it, declared.end()) << m;
    EXPECT_TRUE(it->second == crypto::sign_voted(played.device_of(m), played.sid(), 2)) << m;
  }
  // Round 1's were published by its round_closed and erased from the store with it.
  EXPECT_TRUE(replayed->rounds[0].declarations.empty());
  ASSERT_TRUE(replayed->rounds[0].closed.has_value());
  EXPECT_EQ(replayed->rounds[0].closed->voted.size(), 3u);
}

TEST_F(Replay, NamesTheSessionAndSeqOfALineAlteredOnDisk) {
  played_session played(store(), "altered");
  const std::uint64_t seq = played.first_seq_of("ballot");
  close_store();
  {
    std::string line = played.lines()[seq];
    const std::size_t at = line.find(R"("vk":")") + 6;
    line[at] = line[at] == '0' ? '1' : '0';
    raw_db(db_).rewrite(played.sid(), seq, line, std::nullopt);
  }
  reopen_store();

  auto replayed = replay_session(store(), played.sid());
  ASSERT_FALSE(replayed.ok());
  expect_failure_at(replayed.error(), played.sid(), seq);
  EXPECT_FALSE(replayed.error().record_error.has_value());
}

TEST_F(Replay, NamesTheNextSeqWhenAnAlteredLineKeepsAMatchingHash) {
  played_session played(store(), "relinked");
  // A check-in's time is covered by no signature: moved by a millisecond, the record itself
  // still applies, and only the next record's prev shows the change.
  const std::uint64_t seq = played.first_seq_of("check_in");
  close_store();
  {
    std::string line = played.lines()[seq];
    const std::size_t at = line.find(R"(Z","type")") - 1;
    ASSERT_EQ(line[at], '0');
    line[at] = '1';
    raw_db(db_).rewrite(played.sid(), seq, line, crypto::line_hash(line));
  }
  reopen_store();

  auto replayed = replay_session(store(), played.sid());
  ASSERT_FALSE(replayed.ok());
  expect_failure_at(replayed.error(), played.sid(), seq + 1);
  ASSERT_TRUE(replayed.error().record_error.has_value());
  EXPECT_EQ(replayed.error().record_error->code, core::error_code::bad_request);
  EXPECT_EQ(replayed.error().record_error->field, "prev");
}

TEST_F(Replay, NamesTheSeqOfARecordApplyRefuses) {
  played_session played(store(), "refused");
  // m5 resets its tablet, but the check-in is signed with another key than the one it registers.
  const auto new_device = played.device_of("m5 new");
  const auto other = played.device_of("m5 other");
  const std::uint64_t seq = played.lines().size();
  const std::string line = played.next_line(
      core::check_in_body{"m5", new_device.public_key(), crypto::sign_checkin(other, played.sid(), "m5")});
  ASSERT_TRUE(write_and_wait(store(),
                             [&] {
                               write_batch b;
                               b.append(played.sid(), seq, line);
                               return b;
                             }())
                  .ok());
  close_store();
  reopen_store();

  auto replayed = replay_session(store(), played.sid());
  ASSERT_FALSE(replayed.ok());
  expect_failure_at(replayed.error(), played.sid(), seq);
  ASSERT_TRUE(replayed.error().record_error.has_value());
  EXPECT_EQ(replayed.error().record_error->code, core::error_code::invalid_signature);
  EXPECT_NE(replayed.error().message().find("INVALID_SIGNATURE"), std::string::npos) << replayed.error().message();
}

TEST_F(Replay, RefusesAStoredDeclarationWithABadSignature) {
  played_session played(store(), "bad declaration");
  // m3 holds a token in round 2; the stored signature is its declaration for round 1.
  write_batch b;
  b.put_declaration(played.sid(), 2, declaration{"m3", crypto::sign_voted(played.device_of("m3"), played.sid(), 1)});
  ASSERT_TRUE(write_and_wait(store(), std::move(b)).ok());
  close_store();
  reopen_store();

  auto replayed = replay_session(store(), played.sid());
  ASSERT_FALSE(replayed.ok());
  const replay_failure& f = replayed.error();
  EXPECT_TRUE(f.session == played.sid());
  EXPECT_FALSE(f.seq.has_value());  // a declaration is not a record
  EXPECT_EQ(f.store_error.code, error_code::corrupt);
  ASSERT_TRUE(f.record_error.has_value());
  EXPECT_EQ(f.record_error->code, core::error_code::invalid_signature);
  EXPECT_EQ(f.record_error->field, "declarations[2].sig");  // m1, m2, m3 in member order
  EXPECT_NE(f.message().find(crypto::to_hex(played.sid())), std::string::npos) << f.message();
}

TEST_F(Replay, NamesTheMissingSeqOfAGapInTheChain) {
  played_session played(store(), "gap");
  const std::uint64_t seq = played.first_seq_of("round_opened");
  close_store();
  raw_db(db_).remove(played.sid(), seq);
  reopen_store();

  auto replayed = replay_session(store(), played.sid());
  ASSERT_FALSE(replayed.ok());
  expect_failure_at(replayed.error(), played.sid(), seq);
}

TEST_F(Replay, NeverQuotesTheLineInItsMessage) {
  played_session played(store(), "quoted");
  // A line that is not JSON: the parser's own message quotes what it last read.
  const std::uint64_t seq = played.first_seq_of("token");
  const std::string line = R"({"seq":"VOTEDFORCANDIDATE3\q"})";
  close_store();
  raw_db(db_).rewrite(played.sid(), seq, line, crypto::line_hash(line));
  reopen_store();

  auto replayed = replay_session(store(), played.sid());
  ASSERT_FALSE(replayed.ok());
  expect_failure_at(replayed.error(), played.sid(), seq);
  ASSERT_TRUE(replayed.error().record_error.has_value());
  EXPECT_EQ(replayed.error().record_error->code, core::error_code::bad_request);
  EXPECT_EQ(replayed.error().message().find("VOTEDFORCANDIDATE3"), std::string::npos) << replayed.error().message();
}

TEST_F(Replay, ReportsAnUnknownSessionAsNotFound) {
  played_session played(store(), "known");
  const crypto::session_id unknown = crypto::sha256(crypto::as_bytes("no such session"));
  auto replayed = replay_session(store(), unknown);
  ASSERT_FALSE(replayed.ok());
  EXPECT_EQ(replayed.error().store_error.code, error_code::not_found);
  EXPECT_FALSE(replayed.error().seq.has_value());
  EXPECT_NE(replayed.error().message().find(crypto::to_hex(unknown)), std::string::npos);
}

TEST_F(Replay, ReplaysEverySessionOfTheStoreInListOrder) {
  played_session first(store(), "first");
  played_session second(store(), "second");
  close_store();
  reopen_store();

  auto sessions = store().list_sessions();
  ASSERT_TRUE(sessions.ok());
  ASSERT_EQ(sessions->size(), 2u);
  auto all = replay_all(store());
  ASSERT_TRUE(all.ok()) << all.error().message();
  ASSERT_EQ(all->size(), 2u);
  for (std::size_t i = 0; i < 2; ++i) {
    const played_session& p = (*sessions)[i].id == first.sid() ? first : second;
    EXPECT_TRUE((*all)[i].id == (*sessions)[i].id);
    expect_same_state((*all)[i], p.state());
  }
}

TEST_F(Replay, ReplayAllStopsAtTheSessionThatDoesNotReplay) {
  played_session good(store(), "good");
  played_session bad(store(), "bad");
  const std::uint64_t seq = bad.first_seq_of("round");
  close_store();
  {
    std::string line = bad.lines()[seq];
    line[line.size() - 2] ^= 0x01;  // inside the rule object's last value or key: still text
    raw_db(db_).rewrite(bad.sid(), seq, line, std::nullopt);
  }
  reopen_store();

  auto all = replay_all(store());
  ASSERT_FALSE(all.ok());
  expect_failure_at(all.error(), bad.sid(), seq);
}

}  // namespace
}  // namespace pingyi::store
