// The chain store on real SQLite files: seq contiguity, byte-exact lines across reopen, group
// commit, callbacks only after commit, fail-stop on a failed commit, clean shutdown, the bounded
// queue, credentials and declarations, and the invariants the database keeps by itself.
#include "pingyi/store/chain_store.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/stat.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <future>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "faulty_vfs.hpp"
#include "pingyi/crypto/init.hpp"
#include "temp_directory.hpp"

namespace pingyi::store {
namespace {

using crypto::session_id;
using test::faulty_vfs;
using test::temp_directory;

// A chain-like line: the store treats it as opaque, but it looks like what core writes.
// (Built with append: GCC 12 misreports -Wrestrict on chains of string operator+.)
std::string record(std::uint64_t seq, const std::string& body) {
  return std::string(R"({"seq":)")
      .append(std::to_string(seq))
      .append(R"(,"type":"test","body":")")
      .append(body)
      .append(R"("})");
}

std::string genesis(const std::string& title) {
  return std::string(R"({"seq":0,"type":"genesis","title":")").append(title).append(R"("})");
}

std::string numbered(const char* prefix, int n) { return std::string(prefix).append(std::to_string(n)); }

// Blocks until a callback fires; the value it was called with.
class completion {
 public:
  write_callback callback() {
    return [this](const status& s) {
      std::lock_guard lk(mu_);
      result_ = s;
      done_ = true;
      cv_.notify_all();
    };
  }
  status wait() {
    std::unique_lock lk(mu_);
    cv_.wait(lk, [&] { return done_; });
    return result_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool done_ = false;
  status result_;
};

// write() and wait for durability: the error write() returned, or what the callback reported.
status write_and_wait(chain_store& store, write_batch batch) {
  completion c;
  if (auto s = store.write(std::move(batch), c.callback()); !s) return s;
  return c.wait();
}

status append_and_wait(chain_store& store, const session_id& sid, std::uint64_t seq, std::string line) {
  write_batch b;
  b.append(sid, seq, std::move(line));
  return write_and_wait(store, std::move(b));
}

session_id create_and_wait(chain_store& store, const std::string& title) {
  write_batch b;
  const session_id sid = b.create_session(genesis(title));
  EXPECT_TRUE(write_and_wait(store, std::move(b)).ok());
  return sid;
}

chain_store open_store(const std::filesystem::path& path, const store_options& options = {}) {
  auto s = chain_store::open(path, options);
  if (!s) ADD_FAILURE() << describe(s.error());
  return std::move(s).value();
}

// A raw SQLite connection, to look at the file the way another program would.
class raw_db {
 public:
  explicit raw_db(const std::filesystem::path& p) {
    if (sqlite3_open_v2(p.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) != SQLITE_OK) {
      ADD_FAILURE() << "open " << p;
    }
  }
  ~raw_db() { sqlite3_close_v2(db_); }
  raw_db(const raw_db&) = delete;
  raw_db& operator=(const raw_db&) = delete;
  int exec(const std::string& sql) { return sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, nullptr); }
  std::string text(const std::string& sql) {
    sqlite3_stmt* s = nullptr;
    std::string out;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &s, nullptr) == SQLITE_OK && sqlite3_step(s) == SQLITE_ROW) {
      const unsigned char* t = sqlite3_column_text(s, 0);
      if (t != nullptr) out = reinterpret_cast<const char*>(t);
    }
    sqlite3_finalize(s);
    return out;
  }

 private:
  sqlite3* db_ = nullptr;
};

class ChainStore : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { ASSERT_TRUE(crypto::init()); }
  temp_directory dir_;
  std::filesystem::path db_ = dir_ / "pingyi.db";
};

TEST_F(ChainStore, OpensInWalModeWithTheCurrentSchema) {
  { auto store = open_store(db_); }
  raw_db raw(db_);
  EXPECT_EQ(raw.text("PRAGMA journal_mode"), "wal");
  EXPECT_EQ(raw.text("PRAGMA application_id"), std::to_string(0x50594931));
  EXPECT_EQ(raw.text("SELECT max(version) FROM schema_version"), "1");
}

TEST_F(ChainStore, CreatesItsFilesReadableByTheOwnerOnly) {
  auto store = open_store(db_);
  const session_id sid = create_and_wait(store, "评议");
  (void)sid;
  for (const char* suffix : {"", "-wal", "-shm"}) {
    struct stat st {};
    ASSERT_EQ(::stat((db_.string() + suffix).c_str(), &st), 0) << suffix;
    EXPECT_EQ(st.st_mode & 0777, 0600u) << suffix;
  }
}

TEST_F(ChainStore, RefusesASecondOpenOfTheSameDatabase) {
  auto first = open_store(db_);
  auto second = chain_store::open(db_);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().code, error_code::busy);
  first.close();
  { auto moved = std::move(first); }  // destroying the store releases the database
  EXPECT_TRUE(chain_store::open(db_).ok());
}

TEST_F(ChainStore, RefusesADatabaseOfAnotherProgram) {
  {
    raw_db raw(db_);
    ASSERT_EQ(raw.exec("CREATE TABLE accounts (id INTEGER)"), SQLITE_OK);
  }
  auto store = chain_store::open(db_);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.error().code, error_code::corrupt);
}

TEST_F(ChainStore, RefusesAFileThatIsNotADatabase) {
  {
    std::FILE* f = std::fopen(db_.c_str(), "w");
    ASSERT_NE(f, nullptr);
    std::fputs("this is not an SQLite database, just text long enough to fill a header.....", f);
    std::fclose(f);
  }
  auto store = chain_store::open(db_);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.error().code, error_code::corrupt) << describe(store.error());
}

TEST_F(ChainStore, RefusesANewerSchema) {
  { auto store = open_store(db_); }
  {
    raw_db raw(db_);
    ASSERT_EQ(raw.exec("INSERT INTO schema_version VALUES (2, 0)"), SQLITE_OK);
  }
  auto store = chain_store::open(db_);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.error().code, error_code::unsupported_version);
}

// --- contiguity ---------------------------------------------------------------------------------

TEST_F(ChainStore, RefusesEveryAppendThatIsNotTheNextSeqAndWritesNothing) {
  auto store = open_store(db_);
  const session_id sid = create_and_wait(store, "常委会");
  ASSERT_TRUE(append_and_wait(store, sid, 1, record(1, "a")).ok());
  ASSERT_TRUE(append_and_wait(store, sid, 2, record(2, "b")).ok());
  session_id unknown{};
  unknown[0] = 7;

  struct bad_case {
    const char* name;
    std::function<void(write_batch&)> build;
    error_code expected;
  };
  const std::vector<bad_case> cases = {
      {"gap", [&](write_batch& b) { b.append(sid, 5, record(5, "x")); }, error_code::wrong_seq},
      {"duplicate", [&](write_batch& b) { b.append(sid, 2, record(2, "x")); }, error_code::wrong_seq},
      {"seq 0 again", [&](write_batch& b) { b.append(sid, 0, record(0, "x")); }, error_code::wrong_seq},
      {"seq 0 of an unknown chain", [&](write_batch& b) { b.append(unknown, 0, record(0, "x")); },
       error_code::not_found},
      {"unknown session", [&](write_batch& b) { b.append(unknown, 1, record(1, "x")); }, error_code::not_found},
      {"genesis again", [&](write_batch& b) { (void)b.create_session(genesis("常委会")); }, error_code::already_exists},
      {"good then gap in one batch",
       [&](write_batch& b) {
         b.append(sid, 3, record(3, "good"));
         b.append(sid, 5, record(5, "gap"));
       },
       error_code::wrong_seq},
      {"good then duplicate in one batch",
       [&](write_batch& b) {
         b.append(sid, 3, record(3, "good"));
         b.append(sid, 3, record(3, "again"));
       },
       error_code::wrong_seq},
      {"credential of an unknown session",
       [&](write_batch& b) {
         b.append(sid, 3, record(3, "good"));
         b.put_credential(unknown, credential_kind::chair_code, "chair", credential_hash({}));
       },
       error_code::not_found},
  };
  for (const bad_case& c : cases) {
    write_batch b;
    c.build(b);
    bool called = false;
    const status s = store.write(std::move(b), [&](const status&) { called = true; });
    ASSERT_FALSE(s.ok()) << c.name;
    EXPECT_EQ(s.error().code, c.expected) << c.name << ": " << describe(s.error());
    EXPECT_FALSE(called) << c.name;
  }
  // Nothing of any refused batch was written, and the next seq is still 3.
  ASSERT_TRUE(append_and_wait(store, sid, 3, record(3, "c")).ok());
  auto lines = store.load_chain(sid);
  ASSERT_TRUE(lines.ok());
  ASSERT_EQ(lines->size(), 4u);
  EXPECT_EQ((*lines)[3].line, record(3, "c"));
  EXPECT_EQ(store.stats().writes, 4u);  // genesis, 1, 2, 3
}

TEST_F(ChainStore, AcceptsSeqsQueuedBehindOnesNotYetCommitted) {
  auto store = open_store(db_);
  write_batch b;
  const session_id sid = b.create_session(genesis("t"));
  b.append(sid, 1, record(1, "in the same batch as genesis"));
  std::vector<completion> done(11);
  ASSERT_TRUE(store.write(std::move(b), done[0].callback()).ok());
  for (std::uint64_t seq = 2; seq <= 11; ++seq) {
    ASSERT_TRUE(store.append(sid, seq, record(seq, "queued"), done[seq - 1].callback()).ok());
  }
  for (auto& d : done) EXPECT_TRUE(d.wait().ok());
  auto lines = store.load_chain(sid);
  ASSERT_TRUE(lines.ok());
  ASSERT_EQ(lines->size(), 12u);
  for (std::uint64_t i = 0; i < lines->size(); ++i) EXPECT_EQ((*lines)[i].seq, i);
}

TEST_F(ChainStore, DatabaseItselfRefusesGapsRewritesAndAForeignGenesis) {
  session_id sid{};
  {
    auto store = open_store(db_);
    sid = create_and_wait(store, "t");
    ASSERT_TRUE(append_and_wait(store, sid, 1, record(1, "a")).ok());
  }
  raw_db raw(db_);
  const std::string hex_sid = crypto::to_hex(sid);
  const std::string zero_hash(64, '0');
  ASSERT_EQ(raw.exec("PRAGMA foreign_keys = ON"), SQLITE_OK);
  EXPECT_NE(raw.exec("INSERT INTO chain VALUES (x'" + hex_sid + "', 3, 'gap', x'" + zero_hash + "')"), SQLITE_OK);
  EXPECT_NE(raw.exec("INSERT INTO chain VALUES (x'" + hex_sid + "', 1, 'dup', x'" + zero_hash + "')"), SQLITE_OK);
  EXPECT_NE(raw.exec("UPDATE chain SET line = 'rewritten' WHERE seq = 1"), SQLITE_OK);
  EXPECT_NE(raw.exec("DELETE FROM chain WHERE seq = 1"), SQLITE_OK);
  const std::string other(64, 'a');
  ASSERT_EQ(raw.exec("INSERT INTO sessions VALUES (x'" + other + "', 0)"), SQLITE_OK);
  EXPECT_NE(raw.exec("INSERT INTO chain VALUES (x'" + other + "', 0, 'g', x'" + zero_hash + "')"), SQLITE_OK);
  EXPECT_EQ(raw.text("SELECT count(*) FROM chain"), "2");
}

// --- lines --------------------------------------------------------------------------------------

TEST_F(ChainStore, KeepsLinesByteExactAcrossReopen) {
  const std::vector<std::string> bodies = {
      "满意 / 基本满意 / 不满意",                                            // Chinese, 3-byte UTF-8
      R"(quote \" backslash \\ newline \n tab \t nul \u0000 \ud83d\ude00)",  // JSON escapes as text
      "😀 4-byte, e\u0301 combining, \u00a0 nbsp, \u2028 line separator",
      std::string(200 * 1024, 'x') + "尾",  // a ballot-sized 200 KB line
      "  leading and trailing spaces  ",
  };
  session_id sid{};
  std::vector<std::string> written;
  {
    auto store = open_store(db_);
    write_batch b;
    const std::string g = genesis("人大常委会 民主评议");
    sid = b.create_session(g);
    written.push_back(g);
    for (std::size_t i = 0; i < bodies.size(); ++i) {
      written.push_back(record(i + 1, bodies[i]));
      b.append(sid, i + 1, written.back());
    }
    ASSERT_TRUE(write_and_wait(store, std::move(b)).ok());
  }
  auto store = open_store(db_);
  auto lines = store.load_chain(sid);
  ASSERT_TRUE(lines.ok());
  ASSERT_EQ(lines->size(), written.size());
  for (std::size_t i = 0; i < written.size(); ++i) {
    EXPECT_EQ((*lines)[i].seq, i);
    EXPECT_EQ((*lines)[i].line, written[i]) << "seq " << i;
    EXPECT_EQ((*lines)[i].hash, crypto::line_hash(written[i])) << "seq " << i;
  }
  EXPECT_EQ((*lines)[0].hash, sid);
  EXPECT_TRUE(store.check_chain(sid).ok());

  auto tail = store.load_chain(sid, 4);
  ASSERT_TRUE(tail.ok());
  ASSERT_EQ(tail->size(), 2u);
  EXPECT_EQ((*tail)[0].line, written[4]);
  auto two = store.load_chain(sid, 1, 2);
  ASSERT_TRUE(two.ok());
  ASSERT_EQ(two->size(), 2u);
  EXPECT_EQ((*two)[1].seq, 2u);
  auto none = store.load_chain(sid, 99);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
  session_id unknown{};
  EXPECT_EQ(store.load_chain(unknown).error().code, error_code::not_found);
}

TEST_F(ChainStore, RefusesLinesThatAreNotOneLineOfUtf8) {
  auto store = open_store(db_);
  const session_id sid = create_and_wait(store, "t");
  const std::vector<std::pair<const char*, std::string>> bad = {
      {"empty", ""},
      {"line feed", "{\"a\":1}\n"},
      {"carriage return", "{\"a\":\r1}"},
      {"NUL", std::string("{\"a\":\0}", 7)},
      {"overlong slash", "\xC0\xAF"},
      {"surrogate", "\xED\xA0\x80"},
      {"truncated 评", "\xE8\xAF"},
      {"above U+10FFFF", "\xF4\x90\x80\x80"},
      {"lone continuation", "\x80"},
      {"F5 lead byte", "\xF5\x80\x80\x80"},
  };
  for (const auto& [name, line] : bad) {
    const status s = store.append(sid, 1, line, [](const status&) { ADD_FAILURE() << "called back"; });
    ASSERT_FALSE(s.ok()) << name;
    EXPECT_EQ(s.error().code, error_code::invalid_argument) << name;
  }
  write_batch g;
  (void)g.create_session("{\"bad\":\"\xFF\"}");
  EXPECT_EQ(store.write(std::move(g), [](const status&) {}).error().code, error_code::invalid_argument);
  EXPECT_TRUE(append_and_wait(store, sid, 1, record(1, "ok")).ok());
}

TEST_F(ChainStore, CheckChainNamesALineThatNoLongerMatchesItsHash) {
  session_id sid{};
  {
    auto store = open_store(db_);
    sid = create_and_wait(store, "t");
    for (std::uint64_t seq = 1; seq <= 3; ++seq) ASSERT_TRUE(append_and_wait(store, sid, seq, record(seq, "x")).ok());
    EXPECT_TRUE(store.check_chain(sid).ok());
  }
  {
    // Damage as a disk or a hand might: past the triggers that forbid it.
    raw_db raw(db_);
    ASSERT_EQ(raw.exec("DROP TRIGGER chain_is_append_only_update"), SQLITE_OK);
    ASSERT_EQ(raw.exec("UPDATE chain SET line = replace(line, 'x', 'y') WHERE seq = 2"), SQLITE_OK);
  }
  auto store = open_store(db_);
  const status s = store.check_chain(sid);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, error_code::corrupt);
  EXPECT_NE(s.error().message.find("seq 2"), std::string::npos) << s.error().message;
}

// --- group commit -------------------------------------------------------------------------------

TEST_F(ChainStore, GroupsEverythingQueuedDuringACommitIntoTheNextCommit) {
  auto store = open_store(db_);
  constexpr int threads = 4;
  constexpr std::uint64_t per_thread = 250;
  std::vector<session_id> sids;
  for (int t = 0; t < threads; ++t) sids.push_back(create_and_wait(store, numbered("s", t)));

  // The first record's callback runs on the writer thread and holds it until every producer
  // has queued all its records: they all arrive while the writer is busy.
  const std::uint64_t commits_before = store.stats().commits;
  std::promise<void> all_queued;
  std::shared_future<void> released = all_queued.get_future().share();
  completion first;
  ASSERT_TRUE(store
                  .append(sids[0], 1, record(1, "first"),
                          [&, cb = first.callback()](const status& s) {
                            released.wait();
                            cb(s);
                          })
                  .ok());
  while (store.stats().queued_writes != 0) std::this_thread::yield();  // the writer took it

  std::atomic<std::uint64_t> durable{0};
  std::atomic<std::uint64_t> failed{0};
  std::vector<std::thread> producers;
  for (int t = 0; t < threads; ++t) {
    producers.emplace_back([&, t] {
      const std::uint64_t from = t == 0 ? 2 : 1;
      for (std::uint64_t seq = from; seq < from + per_thread; ++seq) {
        const status s = store.append(sids[t], seq, record(seq, "ballot"),
                                      [&](const status& r) { (r.ok() ? durable : failed).fetch_add(1); });
        if (!s) failed.fetch_add(1);
      }
    });
  }
  for (auto& p : producers) p.join();
  all_queued.set_value();
  EXPECT_TRUE(first.wait().ok());
  store.close();

  EXPECT_EQ(durable.load(), threads * per_thread);
  EXPECT_EQ(failed.load(), 0u);
  // The first record's own commit, then exactly one for all the 1,000 queued behind it.
  EXPECT_EQ(store.stats().commits - commits_before, 2u);
  for (int t = 0; t < threads; ++t) {
    auto lines = store.load_chain(sids[t]);
    ASSERT_TRUE(lines.ok());
    EXPECT_EQ(lines->size(), per_thread + 1 + (t == 0 ? 1 : 0));
  }
}

TEST_F(ChainStore, CommitsFewerTimesThanRecordsUnderConcurrentLoad) {
  auto store = open_store(db_);
  constexpr int threads = 4;
  constexpr std::uint64_t per_thread = 300;
  std::vector<session_id> sids;
  for (int t = 0; t < threads; ++t) sids.push_back(create_and_wait(store, numbered("s", t)));
  const auto before = store.stats();
  std::atomic<std::uint64_t> durable{0};
  std::vector<std::thread> producers;
  for (int t = 0; t < threads; ++t) {
    producers.emplace_back([&, t] {
      for (std::uint64_t seq = 1; seq <= per_thread; ++seq) {
        ASSERT_TRUE(store
                        .append(sids[t], seq, record(seq, std::string(1000, 'b')),
                                [&](const status& s) {
                                  if (s) durable.fetch_add(1);
                                })
                        .ok());
      }
    });
  }
  for (auto& p : producers) p.join();
  store.close();
  const auto after = store.stats();
  EXPECT_EQ(durable.load(), threads * per_thread);
  EXPECT_EQ(after.writes - before.writes, threads * per_thread);
  EXPECT_LT(after.commits - before.commits, threads * per_thread);
}

TEST_F(ChainStore, CallsBackOnlyAfterTheCommitAndInOrder) {
  auto store = open_store(db_);
  const session_id sid = create_and_wait(store, "t");
  constexpr std::uint64_t n = 200;
  std::mutex mu;
  std::vector<std::uint64_t> order;
  std::atomic<int> not_visible{0};
  std::atomic<int> on_caller_thread{0};
  const auto caller = std::this_thread::get_id();
  for (std::uint64_t seq = 1; seq <= n; ++seq) {
    ASSERT_TRUE(store
                    .append(sid, seq, record(seq, "x"),
                            [&, seq](const status& s) {
                              ASSERT_TRUE(s.ok());
                              if (std::this_thread::get_id() == caller) on_caller_thread.fetch_add(1);
                              // Committed means visible to any other connection, including a fresh one.
                              raw_db other(db_);
                              if (other.text("SELECT count(*) FROM chain WHERE seq = " + std::to_string(seq)) != "1")
                                not_visible.fetch_add(1);
                              std::lock_guard lk(mu);
                              order.push_back(seq);
                            })
                    .ok());
  }
  store.close();
  EXPECT_EQ(not_visible.load(), 0);
  EXPECT_EQ(on_caller_thread.load(), 0);
  ASSERT_EQ(order.size(), n);
  for (std::uint64_t i = 0; i < n; ++i) EXPECT_EQ(order[i], i + 1);
}

TEST_F(ChainStore, ReadsDoNotWaitForACommitInFlight) {
  faulty_vfs& vfs = faulty_vfs::instance();
  store_options options;
  options.vfs = faulty_vfs::name;
  auto store = open_store(db_, options);
  const session_id sid = create_and_wait(store, "t");

  vfs.hold_syncs();
  completion c;
  ASSERT_TRUE(store.append(sid, 1, record(1, "in flight"), c.callback()).ok());
  vfs.wait_until_held();  // the writer is inside COMMIT, waiting for its fsync
  auto lines = store.load_chain(sid);
  ASSERT_TRUE(lines.ok());
  EXPECT_EQ(lines->size(), 1u);  // the read finished, and saw only what is committed
  vfs.release();
  EXPECT_TRUE(c.wait().ok());
  EXPECT_EQ(store.load_chain(sid)->size(), 2u);
}

// --- failures -----------------------------------------------------------------------------------

TEST_F(ChainStore, StopsAfterAFullDatabaseAndNeverReportsTheFailedBatchDurable) {
  session_id sid{};
  std::string pages;
  {
    auto store = open_store(db_);
    sid = create_and_wait(store, "t");
    ASSERT_TRUE(append_and_wait(store, sid, 1, record(1, "before")).ok());
    store.close();
    pages = raw_db(db_).text("PRAGMA page_count");
  }
  store_options options;
  options.max_page_count = static_cast<std::uint32_t>(std::stoul(pages)) + 4;  // room for small records only
  auto store = open_store(db_, options);
  ASSERT_TRUE(append_and_wait(store, sid, 2, record(2, "fits")).ok());

  // One batch of small records and one too big for the cap, queued while the writer is held so
  // that they go into the same commit.
  std::promise<void> go;
  std::shared_future<void> released = go.get_future().share();
  completion holder;
  ASSERT_TRUE(store
                  .append(sid, 3, record(3, "holds the writer"),
                          [&, cb = holder.callback()](const status& s) {
                            released.wait();
                            cb(s);
                          })
                  .ok());
  while (store.stats().queued_writes != 0) std::this_thread::yield();
  std::atomic<int> succeeded{0};
  std::atomic<int> failed{0};
  for (std::uint64_t seq = 4; seq <= 8; ++seq) {
    const std::string body = seq == 8 ? std::string(256 * 1024, 'z') : "small";
    ASSERT_TRUE(
        store.append(sid, seq, record(seq, body), [&](const status& s) { (s.ok() ? succeeded : failed).fetch_add(1); })
            .ok());
  }
  go.set_value();
  EXPECT_TRUE(holder.wait().ok());
  store.close();  // waits for the callbacks
  EXPECT_EQ(succeeded.load(), 0);
  EXPECT_EQ(failed.load(), 5);
  ASSERT_TRUE(store.failure().has_value());
  EXPECT_EQ(store.failure()->code, error_code::io);

  // Fail-stop: nothing more is accepted, with an error that says why.
  auto reopened_refusal = store.append(sid, 4, record(4, "after"), [](const status&) {});
  ASSERT_FALSE(reopened_refusal.ok());

  // After a reopen (without the cap) the chain ends at the last acknowledged record, and goes on.
  { auto moved = std::move(store); }
  auto again = open_store(db_);
  auto lines = again.load_chain(sid);
  ASSERT_TRUE(lines.ok());
  ASSERT_EQ(lines->size(), 4u);
  EXPECT_TRUE(again.check_chain(sid).ok());
  EXPECT_TRUE(append_and_wait(again, sid, 4, record(4, "after reopen")).ok());
}

TEST_F(ChainStore, StopsWhenFsyncFailsAtCommitAndFailsEverythingQueuedBehind) {
  faulty_vfs& vfs = faulty_vfs::instance();
  store_options options;
  options.vfs = faulty_vfs::name;
  session_id sid{};
  {
    auto store = open_store(db_, options);
    sid = create_and_wait(store, "t");
    ASSERT_TRUE(append_and_wait(store, sid, 1, record(1, "durable")).ok());

    vfs.hold_syncs();
    completion in_flight;
    ASSERT_TRUE(store.append(sid, 2, record(2, "its fsync fails"), in_flight.callback()).ok());
    vfs.wait_until_held();
    // Accepted while the commit is in flight: owed a callback, which must not say durable.
    completion behind1;
    completion behind2;
    ASSERT_TRUE(store.append(sid, 3, record(3, "behind"), behind1.callback()).ok());
    ASSERT_TRUE(store.append(sid, 4, record(4, "behind"), behind2.callback()).ok());
    vfs.fail_syncs(true);
    vfs.release();

    const status s2 = in_flight.wait();
    ASSERT_FALSE(s2.ok());
    EXPECT_EQ(s2.error().code, error_code::io);
    EXPECT_NE(s2.error().message.find("commit"), std::string::npos) << s2.error().message;
    for (completion* c : {&behind1, &behind2}) {
      const status s = c->wait();
      ASSERT_FALSE(s.ok());
      EXPECT_EQ(s.error().code, error_code::stopped);
    }
    const status refused = store.append(sid, 5, record(5, "x"), [](const status&) { ADD_FAILURE(); });
    ASSERT_FALSE(refused.ok());
    EXPECT_EQ(refused.error().code, error_code::stopped);
    EXPECT_NE(refused.error().message.find("reopen"), std::string::npos);
    vfs.fail_syncs(false);
  }
  // Whether seq 2 reached the disk is unknown to the store (the data may be there, unsynced);
  // what is certain: the acknowledged records are there and the chain is whole.
  auto store = open_store(db_);
  auto lines = store.load_chain(sid);
  ASSERT_TRUE(lines.ok());
  ASSERT_GE(lines->size(), 2u);
  ASSERT_LE(lines->size(), 3u);
  EXPECT_EQ((*lines)[1].line, record(1, "durable"));
  EXPECT_TRUE(store.check_chain(sid).ok());
}

// --- queue and shutdown -------------------------------------------------------------------------

TEST_F(ChainStore, RefusesWritesBeyondItsQueueBoundInsteadOfGrowing) {
  store_options options;
  options.max_queued_writes = 10;
  options.max_queued_bytes = 64 * 1024;
  auto store = open_store(db_, options);
  const session_id sid = create_and_wait(store, "t");

  std::promise<void> go;
  std::shared_future<void> released = go.get_future().share();
  ASSERT_TRUE(store.append(sid, 1, record(1, "holds"), [released](const status&) { released.wait(); }).ok());
  while (store.stats().queued_writes != 0) std::this_thread::yield();

  std::atomic<int> durable{0};
  for (std::uint64_t seq = 2; seq <= 11; ++seq) {
    ASSERT_TRUE(store.append(sid, seq, record(seq, "q"), [&](const status& s) { durable += s.ok(); }).ok());
  }
  const status full = store.append(sid, 12, record(12, "one too many"), [](const status&) { ADD_FAILURE(); });
  ASSERT_FALSE(full.ok());
  EXPECT_EQ(full.error().code, error_code::queue_full);

  write_batch huge;
  huge.append(sid, 12, std::string(128 * 1024, 'h'));
  const status too_large = store.write(std::move(huge), [](const status&) { ADD_FAILURE(); });
  ASSERT_FALSE(too_large.ok());
  EXPECT_EQ(too_large.error().code, error_code::too_large);

  go.set_value();
  store.close();
  EXPECT_EQ(durable.load(), 10);
  EXPECT_EQ(store.load_chain(sid)->size(), 12u);
}

TEST_F(ChainStore, CloseCommitsEverythingQueuedBeforeReturning) {
  session_id sid{};
  std::atomic<int> durable{0};
  {
    auto store = open_store(db_);
    sid = create_and_wait(store, "t");
    for (std::uint64_t seq = 1; seq <= 500; ++seq) {
      ASSERT_TRUE(store.append(sid, seq, record(seq, "x"), [&](const status& s) { durable += s.ok(); }).ok());
    }
    store.close();
    EXPECT_EQ(durable.load(), 500);
    const status after = store.append(sid, 501, record(501, "x"), [](const status&) { ADD_FAILURE(); });
    ASSERT_FALSE(after.ok());
    EXPECT_EQ(after.error().code, error_code::closed);
    store.close();  // idempotent
  }
  auto store = open_store(db_);
  EXPECT_EQ(store.load_chain(sid)->size(), 501u);
}

TEST_F(ChainStore, RefusesAWriteWithoutACallback) {
  auto store = open_store(db_);
  const session_id sid = create_and_wait(store, "t");
  const status s = store.append(sid, 1, record(1, "x"), nullptr);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, error_code::invalid_argument);
}

// --- sessions, credentials, declarations --------------------------------------------------------

TEST_F(ChainStore, ListsSessionsWithTheirChainLengths) {
  auto store = open_store(db_);
  const session_id a = create_and_wait(store, "a");
  const session_id b = create_and_wait(store, "b");
  for (std::uint64_t seq = 1; seq <= 3; ++seq) ASSERT_TRUE(append_and_wait(store, b, seq, record(seq, "x")).ok());
  store.close();
  auto sessions = store.list_sessions();
  ASSERT_TRUE(sessions.ok());
  ASSERT_EQ(sessions->size(), 2u);
  std::map<session_id, std::uint64_t> lengths;
  for (const auto& s : *sessions) {
    lengths[s.id] = s.length;
    EXPECT_GT(s.created_ms, 0);
  }
  EXPECT_EQ(lengths[a], 1u);
  EXPECT_EQ(lengths[b], 4u);
}

TEST_F(ChainStore, CommitsABatchAllOrNothingInOneTransaction) {
  auto store = open_store(db_);
  const auto before = store.stats().commits;
  write_batch b;
  const session_id sid = b.create_session(genesis("全部或全无"));
  b.append(sid, 1, record(1, "round"));
  b.put_credential(sid, credential_kind::chair_code, "chair", credential_hash({1}));
  b.put_credential(sid, credential_kind::checkin_code, "张三", credential_hash({2}));
  ASSERT_TRUE(write_and_wait(store, std::move(b)).ok());
  EXPECT_EQ(store.stats().commits - before, 1u);
  EXPECT_EQ(store.load_chain(sid)->size(), 2u);
  EXPECT_EQ(store.find_credential(sid, credential_kind::checkin_code, "张三")->value(), credential_hash({2}));
}

TEST_F(ChainStore, KeepsCredentialHashesReplacesAndErasesThem) {
  session_id sid{};
  const credential_hash code1({0xc1});
  const credential_hash code2({0xc2});
  const credential_hash device({0xd1});
  {
    auto store = open_store(db_);
    sid = create_and_wait(store, "t");
    write_batch b;
    b.put_credential(sid, credential_kind::checkin_code, "张三", code1);
    b.put_credential(sid, credential_kind::device_secret, "张三", device);
    b.put_credential(sid, credential_kind::chair_code, "chair", credential_hash({0xaa}));
    ASSERT_TRUE(write_and_wait(store, std::move(b)).ok());
  }
  auto store = open_store(db_);
  EXPECT_EQ(store.find_credential(sid, credential_kind::checkin_code, "张三")->value(), code1);
  EXPECT_EQ(store.find_credential_holder(sid, credential_kind::device_secret, device)->value(), "张三");
  // The same hash under another kind is not a match.
  EXPECT_FALSE(store.find_credential_holder(sid, credential_kind::checkin_code, device)->has_value());
  EXPECT_FALSE(store.find_credential(sid, credential_kind::checkin_code, "李四")->has_value());

  // A device reset: a new code, the old device secret revoked.
  write_batch reset;
  reset.put_credential(sid, credential_kind::checkin_code, "张三", code2);
  reset.erase_credential(sid, credential_kind::device_secret, "张三");
  ASSERT_TRUE(write_and_wait(store, std::move(reset)).ok());
  EXPECT_EQ(store.find_credential(sid, credential_kind::checkin_code, "张三")->value(), code2);
  EXPECT_FALSE(store.find_credential_holder(sid, credential_kind::checkin_code, code1)->has_value());
  EXPECT_FALSE(store.find_credential_holder(sid, credential_kind::device_secret, device)->has_value());

  // Two holders of one hash: neither may log in as the other.
  write_batch twins;
  twins.put_credential(sid, credential_kind::checkin_code, "李四", code2);
  ASSERT_TRUE(write_and_wait(store, std::move(twins)).ok());
  auto ambiguous = store.find_credential_holder(sid, credential_kind::checkin_code, code2);
  ASSERT_FALSE(ambiguous.ok());
  EXPECT_EQ(ambiguous.error().code, error_code::corrupt);

  session_id unknown{};
  EXPECT_EQ(store.find_credential(unknown, credential_kind::chair_code, "chair").error().code, error_code::not_found);
  write_batch empty_holder;
  empty_holder.put_credential(sid, credential_kind::chair_code, "", code1);
  EXPECT_EQ(store.write(std::move(empty_holder), [](const status&) {}).error().code, error_code::invalid_argument);
}

TEST_F(ChainStore, KeepsDeclarationsPerRoundSortedByMemberBytes) {
  auto sig = [](crypto::byte b) {
    crypto::byte_array<64> a{};
    a.fill(b);
    return crypto::signature(a);
  };
  session_id sid{};
  {
    auto store = open_store(db_);
    sid = create_and_wait(store, "t");
    write_batch b;
    for (const char* m : {"王五", "b", "A", "张三", "a"}) b.put_declaration(sid, 1, declaration{m, sig(1)});
    b.put_declaration(sid, 2, declaration{"张三", sig(2)});
    b.put_declaration(sid, 1, declaration{"b", sig(9)});  // a repeat replaces
    ASSERT_TRUE(write_and_wait(store, std::move(b)).ok());
  }
  auto store = open_store(db_);
  auto round1 = store.list_declarations(sid, 1);
  ASSERT_TRUE(round1.ok());
  std::vector<std::string> members;
  for (const auto& d : *round1) members.push_back(d.member);
  // UTF-8 byte order: upper case before lower case, 张 (E5 BC A0) before 王 (E7 8E 8B).
  EXPECT_EQ(members, (std::vector<std::string>{"A", "a", "b", "张三", "王五"}));
  EXPECT_EQ((*round1)[2].sig, sig(9));
  auto round2 = store.list_declarations(sid, 2);
  ASSERT_TRUE(round2.ok());
  ASSERT_EQ(round2->size(), 1u);
  EXPECT_EQ((*round2)[0], (declaration{"张三", sig(2)}));
  EXPECT_TRUE(store.list_declarations(sid, 3)->empty());
}

TEST_F(ChainStore, KeepsNoTraceOfTheOrderInWhichMembersDeclared) {
  auto sig = [](crypto::byte b) {
    crypto::byte_array<64> a{};
    a.fill(b);
    return crypto::signature(a);
  };
  session_id sid{};
  {
    auto store = open_store(db_);
    sid = create_and_wait(store, "t");
    // One commit each, in an order that is not the members' order.
    for (const char* m : {"周", "A", "李", "b"}) {
      write_batch b;
      b.put_declaration(sid, 1, declaration{m, sig(3)});
      ASSERT_TRUE(write_and_wait(store, std::move(b)).ok());
    }
    write_batch other;
    other.put_declaration(sid, 2, declaration{"A", sig(4)});
    ASSERT_TRUE(write_and_wait(store, std::move(other)).ok());

    // Published in round_closed: the batch that appends it drops the round's declarations.
    write_batch close;
    close.append(sid, 1, record(1, "round_closed"));
    close.erase_declarations(sid, 1);
    ASSERT_TRUE(write_and_wait(store, std::move(close)).ok());
    EXPECT_TRUE(store.list_declarations(sid, 1)->empty());
    EXPECT_EQ(store.list_declarations(sid, 2)->size(), 1u);
  }
  // The table has no rowid that would number the rows in arrival order.
  raw_db raw(db_);
  EXPECT_NE(raw.exec("SELECT rowid FROM declarations"), SQLITE_OK);
  EXPECT_EQ(raw.text("SELECT count(*) FROM declarations"), "1");
}

}  // namespace
}  // namespace pingyi::store
