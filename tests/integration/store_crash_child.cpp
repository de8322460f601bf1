// The child process of the crash-durability test: opens the store, then appends records to two
// sessions as fast as group commit allows, one producer thread per session, and writes
// "<session> <seq>\n" to stdout the moment a record's durability callback fires. The parent
// kills it with SIGKILL at a random moment and checks that every reported record survived.
//
// Usage: pingyi-store-crash-child <database>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <future>
#include <string>
#include <thread>
#include <vector>

#include "pingyi/crypto/init.hpp"
#include "pingyi/store/chain_store.hpp"
#include "store_crash_record.hpp"

namespace {

using namespace pingyi;

[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "store_crash_child: %s\n", what.c_str());
  std::_Exit(2);
}

// One write(2) per report: a line of < PIPE_BUF bytes reaches the pipe whole or not at all, so
// the parent never reads half a report, and nothing sits in a stdio buffer when the kill comes.
void report(const std::string& text) {
  if (::write(STDOUT_FILENO, text.data(), text.size()) != static_cast<ssize_t>(text.size())) std::_Exit(3);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) die("usage: pingyi-store-crash-child <database>");
  ::alarm(30);  // never outlive a parent that failed to kill us
  if (!crypto::init()) die("libsodium failed to initialise");

  // A short queue: producers outrun the disk, so they meet queue_full and back off, as the
  // network layer will.
  store::store_options options;
  options.max_queued_writes = 2'000;
  auto opened = store::chain_store::open(argv[1], options);
  if (!opened) die(store::describe(opened.error()));
  store::chain_store& db = *opened;

  std::vector<crypto::session_id> sids;
  for (int k = 0; k < store::test::crash_sessions; ++k)
    sids.push_back(crypto::line_hash(store::test::crash_genesis(k)));

  auto sessions = db.list_sessions();
  if (!sessions) die(store::describe(sessions.error()));
  if (sessions->empty()) {
    // Both sessions in one batch: after a crash either both exist or neither does.
    store::write_batch b;
    for (int k = 0; k < store::test::crash_sessions; ++k) (void)b.create_session(store::test::crash_genesis(k));
    std::promise<store::status> created;
    if (auto s = db.write(std::move(b), [&](const store::status& r) { created.set_value(r); }); !s) {
      die(store::describe(s.error()));
    }
    if (auto s = created.get_future().get(); !s) die(store::describe(s.error()));
  }

  struct cursor {
    std::uint64_t next = 0;
    crypto::chain_hash prev{};
  };
  std::vector<cursor> cursors(sids.size());
  for (std::size_t k = 0; k < sids.size(); ++k) {
    auto all = db.list_sessions();
    std::uint64_t length = 0;
    for (const auto& s : *all) {
      if (s.id == sids[k]) length = s.length;
    }
    if (length == 0) die("session " + std::to_string(k) + " is missing");
    auto last = db.load_chain(sids[k], length - 1, 1);
    if (!last || last->size() != 1) die("cannot read the last record of session " + std::to_string(k));
    cursors[k] = cursor{length, (*last)[0].hash};
  }
  report("ready\n");

  std::vector<std::thread> producers;
  for (std::size_t k = 0; k < sids.size(); ++k) {
    producers.emplace_back([&, k] {
      cursor& c = cursors[k];
      for (;;) {
        // A ceiling on the database (~150 MB), in case a parent fails to kill us in time: the
        // machine is shared, and the test needs thousands of records, not millions.
        if (c.next >= 250'000) {
          std::this_thread::sleep_for(std::chrono::seconds(1));
          continue;
        }
        std::string line = store::test::crash_record(static_cast<int>(k), c.next, c.prev);
        const crypto::chain_hash hash = crypto::line_hash(line);
        const std::string done = std::to_string(k) + " " + std::to_string(c.next) + "\n";
        for (;;) {
          const store::status s = db.append(sids[k], c.next, line, [done](const store::status& r) {
            if (!r) die("a commit failed: " + store::describe(r.error()));
            report(done);
          });
          if (s) break;
          if (s.error().code != store::error_code::queue_full) die(store::describe(s.error()));
          std::this_thread::sleep_for(std::chrono::milliseconds(1));
        }
        c.prev = hash;
        ++c.next;
      }
    });
  }
  for (auto& p : producers) p.join();  // never: the parent kills us
  return 0;
}
