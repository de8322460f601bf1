// Store benchmark (not a test): append throughput of the chain store with synchronous=FULL and
// group commit, from several producer threads each keeping a window of records in flight (as
// concurrent voters waiting for receipts do), and the time from enqueue to durable (p50, p99).
// Also the one-record-per-commit baseline that group commit exists to beat, and the read side
// of a replay (10,000 lines read back and re-hashed).
//
//   pingyi-store-bench [--runs N] [--dir DIR]
//
// Each scenario runs N times (default 3) on a fresh database in DIR (default $TMPDIR or /tmp);
// the run with the median records/s is printed.
#include <sqlite3.h>
#include <stdlib.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <future>
#include <memory>
#include <semaphore>
#include <string>
#include <thread>
#include <vector>

#include "pingyi/crypto/init.hpp"
#include "pingyi/store/chain_store.hpp"

namespace {

using namespace pingyi;
using clock_type = std::chrono::steady_clock;

struct scenario {
  const char* name;
  int producers;
  int window;  // records each producer keeps in flight
  std::size_t line_bytes;
  std::uint64_t per_producer;
};

struct outcome {
  double records_per_s = 0;
  double mb_per_s = 0;
  double records_per_commit = 0;
  double p50_ms = 0, p99_ms = 0, max_ms = 0;
};

[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "pingyi-store-bench: %s\n", what.c_str());
  std::exit(1);
}

// A ballot-like line of about `bytes` bytes.
std::string make_line(std::uint64_t seq, std::size_t bytes) {
  std::string line = std::string(R"({"seq":)").append(std::to_string(seq)).append(R"(,"type":"ballot","body":")");
  if (line.size() + 2 < bytes) line.append(bytes - line.size() - 2, 'a');
  return line.append(R"("})");
}

void wait_durable(store::chain_store& st, store::write_batch b) {
  auto done = std::make_shared<std::promise<store::status>>();
  if (auto s = st.write(std::move(b), [done](const store::status& r) { done->set_value(r); }); !s) {
    die(store::describe(s.error()));
  }
  if (auto s = done->get_future().get(); !s) die(store::describe(s.error()));
}

double percentile(std::vector<double>& v, double p) {
  if (v.empty()) return 0;
  const auto k = static_cast<std::size_t>(p * static_cast<double>(v.size() - 1));
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
  return v[k];
}

outcome run_once(const std::filesystem::path& dir, const scenario& sc) {
  const std::filesystem::path db = dir / "bench.db";
  for (const char* suffix : {"", "-wal", "-shm", ".lock"}) std::filesystem::remove(db.string() + suffix);
  auto opened = store::chain_store::open(db);
  if (!opened) die(store::describe(opened.error()));
  store::chain_store& st = *opened;

  std::vector<crypto::session_id> sids;
  for (int p = 0; p < sc.producers; ++p) {
    store::write_batch b;
    sids.push_back(b.create_session(
        std::string(R"({"seq":0,"type":"genesis","producer":)").append(std::to_string(p)).append("}")));
    wait_durable(st, std::move(b));
  }

  // latencies[p][i]: enqueue → durable of producer p's record i, written by the writer thread.
  std::vector<std::vector<double>> latencies(static_cast<std::size_t>(sc.producers),
                                             std::vector<double>(sc.per_producer));
  const auto commits_before = st.stats().commits;
  const auto start = clock_type::now();
  // Each producer's window outlives the writer's last release() of it: they go after close().
  std::vector<std::unique_ptr<std::counting_semaphore<1 << 20>>> windows;
  for (int p = 0; p < sc.producers; ++p)
    windows.push_back(std::make_unique<std::counting_semaphore<1 << 20>>(sc.window));
  std::vector<std::thread> producers;
  for (int p = 0; p < sc.producers; ++p) {
    producers.emplace_back([&, p] {
      auto& window = *windows[static_cast<std::size_t>(p)];
      auto& lat = latencies[static_cast<std::size_t>(p)];
      for (std::uint64_t i = 0; i < sc.per_producer; ++i) {
        window.acquire();
        std::string line = make_line(i + 1, sc.line_bytes);
        const auto t0 = clock_type::now();
        const store::status s = st.append(
            sids[static_cast<std::size_t>(p)], i + 1, std::move(line), [&lat, &window, i, t0](const store::status& r) {
              if (!r) die(store::describe(r.error()));
              lat[i] = std::chrono::duration<double, std::milli>(clock_type::now() - t0).count();
              window.release();
            });
        if (!s) die(store::describe(s.error()));
      }
      for (int k = 0; k < sc.window; ++k) window.acquire();  // all durable
    });
  }
  for (auto& t : producers) t.join();
  const double seconds = std::chrono::duration<double>(clock_type::now() - start).count();
  const auto commits = st.stats().commits - commits_before;
  st.close();

  std::vector<double> all;
  for (auto& l : latencies) all.insert(all.end(), l.begin(), l.end());
  const double records = static_cast<double>(all.size());
  outcome o;
  o.records_per_s = records / seconds;
  o.mb_per_s = records * static_cast<double>(sc.line_bytes) / seconds / 1e6;
  o.records_per_commit = commits == 0 ? 0 : records / static_cast<double>(commits);
  o.p50_ms = percentile(all, 0.50);
  o.p99_ms = percentile(all, 0.99);
  o.max_ms = *std::max_element(all.begin(), all.end());
  return o;
}

// Reads back a 10,000-record chain of ~1 KB lines as a replay would, and re-hashes every line.
void replay_read(const std::filesystem::path& dir, int runs) {
  const std::filesystem::path db = dir / "replay.db";
  for (const char* suffix : {"", "-wal", "-shm", ".lock"}) std::filesystem::remove(db.string() + suffix);
  auto opened = store::chain_store::open(db);
  if (!opened) die(store::describe(opened.error()));
  store::write_batch b;
  const crypto::session_id sid = b.create_session(R"({"seq":0,"type":"genesis"})");
  for (std::uint64_t seq = 1; seq < 10'000; ++seq) b.append(sid, seq, make_line(seq, 1024));
  wait_durable(*opened, std::move(b));
  std::vector<double> read_ms, check_ms;
  for (int r = 0; r < runs; ++r) {
    auto t0 = clock_type::now();
    std::size_t bytes = 0;
    if (!opened->read_chain(sid, 0, [&](const store::chain_line_view& v) {
          bytes += v.line.size();
          return true;
        })) {
      die("read_chain");
    }
    read_ms.push_back(std::chrono::duration<double, std::milli>(clock_type::now() - t0).count());
    t0 = clock_type::now();
    if (!opened->check_chain(sid)) die("check_chain");
    check_ms.push_back(std::chrono::duration<double, std::milli>(clock_type::now() - t0).count());
  }
  std::printf(
      "replay read of 10,000 ~1 KB records: read_chain %.1f ms, check_chain (read + SHA-256 of every line) %.1f ms\n",
      percentile(read_ms, 0.5), percentile(check_ms, 0.5));
}

}  // namespace

int main(int argc, char** argv) {
  int runs = 3;
  std::filesystem::path base;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--runs") == 0 && i + 1 < argc) {
      runs = std::max(1, std::atoi(argv[++i]));
    } else if (std::strcmp(argv[i], "--dir") == 0 && i + 1 < argc) {
      base = argv[++i];
    } else {
      die("usage: pingyi-store-bench [--runs N] [--dir DIR]");
    }
  }
  if (!crypto::init()) die("libsodium failed to initialise");
  if (base.empty()) {
    const char* t = std::getenv("TMPDIR");
    base = t != nullptr && *t != '\0' ? t : "/tmp";
  }
  std::string pattern = (base / "pingyi-store-bench-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) die("mkdtemp in " + base.string());
  const std::filesystem::path dir = pattern;

  std::printf("pingyi-store-bench: SQLite %s, WAL, synchronous=FULL, group commit; %s; median of %d runs\n",
              sqlite3_libversion(), dir.c_str(), runs);
  std::printf("%-44s %10s %8s %11s %8s %8s %8s\n", "scenario", "records/s", "MB/s", "recs/commit", "p50 ms", "p99 ms",
              "max ms");
  const scenario scenarios[] = {
      {"1 KB lines, 4 producers x 64 in flight", 4, 64, 1024, 5'000},
      {"1 KB lines, 16 producers x 16 in flight", 16, 16, 1024, 1'250},
      {"200 KB lines, 4 producers x 8 in flight", 4, 8, 200 * 1024, 250},
      {"1 KB lines, 1 producer x 1 (one per commit)", 1, 1, 1024, 1'000},
  };
  for (const scenario& sc : scenarios) {
    std::vector<outcome> outcomes;
    for (int r = 0; r < runs; ++r) outcomes.push_back(run_once(dir, sc));
    std::sort(outcomes.begin(), outcomes.end(),
              [](const outcome& a, const outcome& b) { return a.records_per_s < b.records_per_s; });
    const outcome& m = outcomes[outcomes.size() / 2];
    std::printf("%-44s %10.0f %8.1f %11.1f %8.2f %8.2f %8.2f\n", sc.name, m.records_per_s, m.mb_per_s,
                m.records_per_commit, m.p50_ms, m.p99_ms, m.max_ms);
    std::fflush(stdout);
  }
  replay_read(dir, runs);
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
  return 0;
}
