// pingyi-verify benchmark (not a test): how fast an observer checks a whole session, for the two
// shapes issue #6 names — a 3,000-member round of one target, and 200 members rating 30 targets —
// with 1 thread and with every core, against the cost of one contest's proofs measured in the
// same process (crypto::verify_ballot on a 1-target ballot). Target: ≥ 1,000 contest-ballots/s
// on this 2-core machine, i.e. a 3,000-member round in ≤ 3 s.
//
//   pingyi-verify-bench [--runs 3] [--small] [--write-chains DIR]
//     --small: 300 members and 20 × 30, for a quick look
//     --write-chains DIR: also write each generated session's chain as DIR/<members>x<targets>.jsonl
//       (one record a line, each followed by '\n', exactly as GET /api/sessions/ID/chain gives it), so
//       that other verifiers — pingyi-verify, the browser's — can be timed on the same sessions
#include <CLI/CLI.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "chain_check.hpp"
#include "pingyi/core/session_engine.hpp"
#include "pingyi/crypto/ballot.hpp"
#include "pingyi/crypto/device.hpp"
#include "pingyi/crypto/init.hpp"
#include "pingyi/crypto/token.hpp"

namespace {

using namespace pingyi;
using clock_type = std::chrono::steady_clock;

[[noreturn]] void die(const char* what) {
  std::fprintf(stderr, "pingyi-verify-bench: %s\n", what);
  std::exit(1);
}

template <class T, class E>
T must(crypto::basic_result<T, E> r, const char* what) {
  if (!r) die(what);
  return std::move(r).value();
}

double seconds_since(clock_type::time_point t0) {
  return std::chrono::duration<double>(clock_type::now() - t0).count();
}

struct session {
  std::vector<std::string> lines;
  int members = 0;
  std::size_t ballots = 0;
  std::size_t targets = 0;
  crypto::ballot sample;  // one cast ballot of the session
  crypto::session_id id{};
  crypto::point election_key;
  std::vector<crypto::contest_spec> specs;
};

// One evaluation round of `targets` departments, every member casting; then closed, decrypted,
// counted and revealed.
session play(int members, int targets) {
  crypto::deterministic_random rng(crypto::byte_array<32>{9});
  std::int64_t now = 1'795'424'400'000;
  core::session_setup setup;
  setup.title = "验证基准";
  setup.committee = "基准委员会";
  setup.date = "2026-11-23";
  for (int i = 0; i < members; ++i) {
    const auto id = std::string("m").append(std::to_string(10000 + i));
    setup.members.push_back(core::member{id, id, std::to_string(i)});
  }
  core::round_setup round;
  round.title = "测评";
  round.kind = core::round_kind::evaluation;
  for (int k = 0; k < targets; ++k) {
    round.contests.push_back(
        core::round_contest{std::string("d").append(std::to_string(k)), "部门", {"满意", "基本满意", "不满意"}, 1, 1});
  }
  round.rule = core::default_rule(core::round_kind::evaluation, 3);
  auto created = must(core::session_engine::create(setup, {round}, core::server_keys::generate(rng),
                                                   [&now] { return now += 5; }, rng),
                      "create");
  auto engine = std::move(created.first);
  session s;
  s.members = members;
  s.targets = static_cast<std::size_t>(targets);
  for (auto& a : created.second) s.lines.push_back(a.line);
  s.lines.push_back(must(engine.seal_election_key(), "seal").line);
  std::map<std::string, crypto::signing_key> devices;
  for (const auto& m : setup.members) {
    auto device = crypto::signing_key::generate(rng);
    s.lines.push_back(must(engine.check_in(m.id, device.public_key(), crypto::sign_checkin(device, engine.id(), m.id)),
                           "check in")
                          ->line);
    devices.emplace(m.id, device);
  }
  s.lines.push_back(must(engine.open_round(1), "open").line);
  const auto& specs = engine.state().rounds[0].specs;
  for (const auto& m : setup.members) {
    const auto ske = crypto::signing_key::generate(rng);
    const auto request = must(crypto::blind_token(engine.id(), 1, ske.public_key(), rng), "blind");
    auto reply = must(engine.issue_token(m.id, 1, request.element,
                                         crypto::sign_token_request(devices.at(m.id), engine.id(), 1, request.element)),
                      "token");
    s.lines.push_back(reply.added->line);
    const auto n = must(crypto::unblind_token(engine.state().genesis->token_key, request, reply.evaluated, reply.proof),
                        "unblind");
    crypto::ballot_choices choices(static_cast<std::size_t>(targets), std::vector<std::uint8_t>(3, 0));
    for (int k = 0; k < targets; ++k) choices[static_cast<std::size_t>(k)][(k + m.id.back()) % 3] = 1;
    const auto cast =
        must(crypto::build_ballot(engine.id(), 1, ske, n, *engine.state().election_key, specs, choices, rng), "build");
    if (s.ballots == 0) s.sample = cast;
    s.lines.push_back(must(engine.accept_ballot(cast), "ballot").added->line);
    (void)must(engine.accept_declaration(m.id, 1, crypto::sign_voted(devices.at(m.id), engine.id(), 1)), "voted");
    ++s.ballots;
  }
  for (auto* step : {+[](core::session_engine& e) { return e.close_round(1); },
                     +[](core::session_engine& e) { return e.decrypt_round(1); },
                     +[](core::session_engine& e) { return e.publish_result(1); },
                     +[](core::session_engine& e) { return e.reveal(1); }}) {
    s.lines.push_back(must(step(engine), "finish").line);
  }
  s.id = engine.id();
  s.election_key = *engine.state().election_key;
  s.specs = specs;
  return s;
}

// The chain as the server exports it: the exact bytes that were hashed, '\n' after each line.
void write_chain(const std::filesystem::path& dir, const session& s) {
  const auto file = dir / (std::to_string(s.members) + "x" + std::to_string(s.targets) + ".jsonl");
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  for (const auto& line : s.lines) out.write(line.data(), static_cast<std::streamsize>(line.size())).put('\n');
  out.close();
  if (!out) die("cannot write a chain file");
  std::fprintf(stderr, "wrote %s (%zu records)\n", file.string().c_str(), s.lines.size());
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

void measure(const char* name, const session& s, int runs) {
  // One contest's proofs (0/1 proofs, limit proof; the signature and token proof are per ballot),
  // measured on a 1-target ballot built alike.
  std::vector<double> per_ballot;
  for (int rep = 0; rep < 5; ++rep) {
    const auto t0 = clock_type::now();
    constexpr int n = 20;
    for (int i = 0; i < n; ++i) {
      if (!crypto::verify_ballot(s.id, s.election_key, s.specs, s.sample)) die("verify");
    }
    per_ballot.push_back(seconds_since(t0) / n);
  }
  const double floor_one_core = median(per_ballot) * static_cast<double>(s.ballots);
  const std::size_t contest_ballots = s.ballots * s.targets;
  std::printf("%s: %zu records, %zu ballots × %zu targets = %zu contest-ballots\n", name, s.lines.size(), s.ballots,
              s.targets, contest_ballots);
  std::printf("  verify_ballot alone, one core: %.2f s (%.0f contest-ballots/s)\n", floor_one_core,
              static_cast<double>(contest_ballots) / floor_one_core);
  const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  for (unsigned threads : {1u, cores}) {
    std::vector<double> times;
    for (int r = 0; r < runs; ++r) {
      const auto t0 = clock_type::now();
      const auto result = verify::check_chain(s.lines, threads);
      times.push_back(seconds_since(t0));
      if (result.failure) die("the chain did not verify");
    }
    const double t = median(times);
    std::printf("  check_chain, %u thread%s: %.2f s = %.0f contest-ballots/s = %.0f ballots/s; ratio to one-core floor %.2f\n",
                threads, threads == 1 ? "" : "s", t, static_cast<double>(contest_ballots) / t,
                static_cast<double>(s.ballots) / t, t / floor_one_core);
  }
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"pingyi-verify-bench: verification speed of whole sessions"};
  int runs = 3;
  bool small = false;
  std::string chains_dir;
  app.add_option("--runs", runs, "runs per measurement (median)")->check(CLI::Range(1, 20));
  app.add_flag("--small", small, "smaller sessions, for a quick look");
  app.add_option("--write-chains", chains_dir, "also write each session's chain as DIR/<members>x<targets>.jsonl");
  CLI11_PARSE(app, argc, argv);
  if (!crypto::init()) die("libsodium");
  if (!chains_dir.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(chains_dir, ec);
    if (ec) die("cannot create the --write-chains directory");
  }
  const auto t0 = clock_type::now();
  const session wide = play(small ? 300 : 3000, 1);
  const session deep = play(small ? 20 : 200, 30);
  std::fprintf(stderr, "generated in %.0f s\n", seconds_since(t0));
  if (!chains_dir.empty()) {
    write_chain(chains_dir, wide);
    write_chain(chains_dir, deep);
  }
  measure(small ? "300 members × 1 target" : "3,000 members × 1 target", wide, runs);
  measure(small ? "20 members × 30 targets" : "200 members × 30 targets", deep, runs);
  return 0;
}
