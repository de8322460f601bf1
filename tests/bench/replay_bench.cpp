// Replay benchmark (not a test): how long start-up takes to rebuild a session from its stored
// chain, and whether that time is what it should be — the ballots' proof verification, nothing
// else. It plays a session through core::session_engine (members × rounds ballots of one
// 3-option evaluation contest, the crypto benchmark's "verify ballot 1×3"), stores it, then
// times store::replay_session (SQLite read, hash check, decode, apply with every proof) and,
// in the same process, crypto::verify_ballot + verify_token on one ballot, and prints the ratio.
//
//   pingyi-replay-bench [--members 1000] [--rounds 10] [--runs 3] [--dir DIR]
//
// The session is generated once per invocation (it takes a while: every ballot is built and
// checked); replay runs --runs times and the median is printed.
#include <CLI/CLI.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <future>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "pingyi/core/session_engine.hpp"
#include "pingyi/core/session_state.hpp"
#include "pingyi/crypto/ballot.hpp"
#include "pingyi/crypto/device.hpp"
#include "pingyi/crypto/init.hpp"
#include "pingyi/crypto/token.hpp"
#include "pingyi/crypto/voprf.hpp"
#include "pingyi/store/chain_store.hpp"
#include "pingyi/store/replay.hpp"

namespace {

using namespace pingyi;
using clock_type = std::chrono::steady_clock;

[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "pingyi-replay-bench: %s\n", what.c_str());
  std::exit(1);
}

template <class T>
T must(core::result<T> r, const char* what) {
  if (!r) die(std::string(what).append(": ").append(core::describe(r.error())));
  return std::move(r).value();
}

double seconds_since(clock_type::time_point t0) {
  return std::chrono::duration<double>(clock_type::now() - t0).count();
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

// Seconds per call of f (which must return true), the median of 5 batches of 200 calls.
template <class F>
double time_per_call(F&& f) {
  std::vector<double> v;
  for (int rep = 0; rep < 5; ++rep) {
    constexpr int n = 200;
    const auto t0 = clock_type::now();
    for (int i = 0; i < n; ++i) {
      if (!f()) die("a check of the baseline failed");
    }
    v.push_back(seconds_since(t0) / n);
  }
  return median(v);
}

// Stores records as the server would: one batch per engine call, waiting for durability.
class recorder {
 public:
  explicit recorder(store::chain_store& s) : store_(s) {}

  void put(const std::vector<core::appended>& records) {
    store::write_batch batch;
    if (!records.empty() && records.front().rec.seq == 0) session_ = records.front().hash;
    for (const auto& a : records) {
      if (a.rec.seq == 0) {
        batch.create_session(a.line);
      } else {
        batch.append(session_, a.rec.seq, a.line);
      }
    }
    std::promise<store::status> done;
    auto f = done.get_future();
    if (auto st = store_.write(std::move(batch), [&done](const store::status& s) { done.set_value(s); }); !st) {
      die(std::string("write: ").append(store::describe(st.error())));
    }
    if (auto st = f.get(); !st) die(std::string("commit: ").append(store::describe(st.error())));
  }
  void put(const core::appended& a) { put(std::vector<core::appended>{a}); }

 private:
  store::chain_store& store_;
  crypto::session_id session_{};
};

struct generated {
  crypto::session_id session{};
  std::uint64_t records = 0;
  std::uint64_t ballots = 0;
  crypto::point election_key;
  crypto::point token_key;
  std::vector<crypto::contest_spec> specs;
};

generated generate(store::chain_store& store, int members, int rounds) {
  crypto::deterministic_random rng(crypto::byte_array<32>{7});
  std::int64_t now = 1'790'000'000'000;
  auto clock = [&now] { return now += 3; };

  core::session_setup setup;
  setup.title = "重放基准";
  setup.committee = "基准委员会";
  setup.date = "2026-11-23";
  for (int i = 0; i < members; ++i) {
    const std::string id = std::string("m").append(std::to_string(10000 + i));
    setup.members.push_back(core::member{id, std::string("委员").append(std::to_string(i)), std::to_string(i + 1)});
  }
  setup.quorum = core::quorum{1, 2};
  std::vector<core::round_setup> agenda;
  for (int r = 0; r < rounds; ++r) {
    core::round_setup rs;
    rs.title = std::string("测评 ").append(std::to_string(r + 1));
    rs.kind = core::round_kind::evaluation;
    rs.contests = {core::round_contest{"d1", "某局", {"满意", "基本满意", "不满意"}, 1, 1}};
    rs.rule = core::default_rule(core::round_kind::evaluation, 3);
    agenda.push_back(rs);
  }
  auto created = must(core::session_engine::create(setup, agenda, core::server_keys::generate(rng), clock, rng),
                      "create");
  core::session_engine engine = std::move(created.first);
  recorder rec(store);
  rec.put(created.second);
  rec.put(must(engine.seal_election_key(), "seal"));

  std::map<std::string, crypto::signing_key> devices;
  for (const auto& m : setup.members) {
    auto device = crypto::signing_key::generate(rng);
    auto added = must(engine.check_in(m.id, device.public_key(), crypto::sign_checkin(device, engine.id(), m.id)),
                      "check in");
    if (added) rec.put(*added);
    devices.emplace(m.id, device);
  }

  generated g;
  g.session = engine.id();
  g.election_key = *engine.state().election_key;
  g.token_key = engine.state().genesis->token_key;
  g.specs = engine.state().rounds[0].specs;
  const auto t0 = clock_type::now();
  for (std::uint32_t round = 1; round <= static_cast<std::uint32_t>(rounds); ++round) {
    rec.put(must(engine.open_round(round), "open"));
    for (const auto& m : setup.members) {
      const auto ske = crypto::signing_key::generate(rng);
      auto request = crypto::blind_token(engine.id(), round, ske.public_key(), rng);
      if (!request) die("blind");
      const auto sig = crypto::sign_token_request(devices.at(m.id), engine.id(), round, request->element);
      auto reply = must(engine.issue_token(m.id, round, request->element, sig), "token");
      rec.put(*reply.added);
      auto n = crypto::unblind_token(g.token_key, *request, reply.evaluated, reply.proof);
      if (!n) die("unblind");
      const std::uint8_t grade = static_cast<std::uint8_t>((m.id.back() - '0') % 3);
      crypto::ballot_choices choices{{0, 0, 0}};
      choices[0][grade] = 1;
      auto cast = crypto::build_ballot(engine.id(), round, ske, *n, g.election_key, g.specs, choices, rng);
      if (!cast) die("build ballot");
      auto receipt = must(engine.accept_ballot(*cast), "ballot");
      rec.put(*receipt.added);
      ++g.ballots;
      if (!must(engine.accept_declaration(m.id, round, crypto::sign_voted(devices.at(m.id), engine.id(), round)),
                "declaration")) {
        die("declaration not new");
      }
    }
    rec.put(must(engine.close_round(round), "close"));
    rec.put(must(engine.decrypt_round(round), "decrypt"));
    rec.put(must(engine.publish_result(round), "result"));
    rec.put(must(engine.reveal(round), "reveal"));
    std::fprintf(stderr, "  round %u of %d generated (%.0f s)\n", round, rounds, seconds_since(t0));
  }
  rec.put(must(engine.adjourn(), "adjourn"));
  g.records = engine.state().length;
  return g;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"pingyi-replay-bench: start-up replay of a stored chain against the crypto verify rate"};
  int members = 1000;
  int rounds = 10;
  int runs = 3;
  std::string dir = std::filesystem::temp_directory_path().string();
  app.add_option("--members", members, "members, each casting one ballot per round")->check(CLI::Range(2, 10000));
  app.add_option("--rounds", rounds, "evaluation rounds of one 3-option contest")->check(CLI::Range(1, 100));
  app.add_option("--runs", runs, "replays to take the median of")->check(CLI::Range(1, 50));
  app.add_option("--dir", dir, "where to put the database");
  CLI11_PARSE(app, argc, argv);
  if (!crypto::init()) die("libsodium failed to initialise");

  const auto path = std::filesystem::path(dir) / "pingyi-replay-bench.db";
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path.string() + suffix);

  generated g;
  {
    auto store = store::chain_store::open(path);
    if (!store) die(std::string("open: ").append(store::describe(store.error())));
    const auto t0 = clock_type::now();
    g = generate(*store, members, rounds);
    std::fprintf(stderr, "generated %llu records (%llu ballots) in %.1f s\n",
                 static_cast<unsigned long long>(g.records), static_cast<unsigned long long>(g.ballots),
                 seconds_since(t0));
  }

  // Replay: what start-up does (open, check hashes, decode and apply every line).
  std::vector<double> replay_s;
  for (int i = 0; i < runs; ++i) {
    auto store = store::chain_store::open(path);
    if (!store) die(std::string("reopen: ").append(store::describe(store.error())));
    const auto t0 = clock_type::now();
    auto state = store::replay_session(*store, g.session);
    replay_s.push_back(seconds_since(t0));
    if (!state) die(std::string("replay: ").append(state.error().message()));
    if (state->length != g.records) die("replay: wrong length");
  }

  // The stored lines, to find a ballot, a token and a declaration for the baseline.
  std::vector<std::string> lines;
  {
    auto store = store::chain_store::open(path);
    if (!store) die("reopen");
    auto loaded = store->load_chain(g.session);
    if (!loaded) die("load");
    for (auto& l : *loaded) lines.push_back(std::move(l.line));
  }

  // The crypto baseline, in this process: every proof and signature the chain holds per ballot.
  // A ballot record: verify_ballot (0/1 and limit proofs, signature; pingyi-crypto-bench's
  // "verify ballot 1×3") and the token proof. Its member's token record: the request signature
  // and the RFC 9497 proof. Its declaration in round_closed: one signature.
  const core::ballot_body* ballot = nullptr;
  const core::token_body* token = nullptr;
  std::vector<core::record> decoded;
  for (const auto& line : lines) {
    auto r = core::decode(line);
    if (!r) die("decode");
    decoded.push_back(std::move(r).value());
  }
  const core::round_closed_body* closed = nullptr;
  std::optional<crypto::verify_key> device_of_token;
  for (const auto& r : decoded) {
    if (const auto* b = std::get_if<core::ballot_body>(&r.body); b && !ballot) ballot = b;
    if (const auto* t = std::get_if<core::token_body>(&r.body); t && !token) token = t;
    if (const auto* c = std::get_if<core::round_closed_body>(&r.body); c && !closed) closed = c;
  }
  if (!ballot || !token || !closed || closed->voted.empty()) die("no ballot, token or declaration in the chain");
  for (const auto& r : decoded) {
    const auto* c = std::get_if<core::check_in_body>(&r.body);
    if (c && c->member == token->member) device_of_token = c->device_key;
  }
  if (!device_of_token) die("no check-in for the token's member");
  std::optional<crypto::verify_key> device_of_voter;
  for (const auto& r : decoded) {
    const auto* c = std::get_if<core::check_in_body>(&r.body);
    if (c && c->member == closed->voted[0].member) device_of_voter = c->device_key;
  }
  const crypto::ballot cast{ballot->round, ballot->vk, ballot->token, ballot->contests, ballot->sig};
  const auto t_point = crypto::token_point(g.session, ballot->round, ballot->vk);
  const crypto::voprf::suite suite(crypto::voprf::mode::voprf);
  const crypto::point blinded[1] = {token->blinded};
  const crypto::point evaluated[1] = {token->evaluated};

  const double verify_ballot_s = time_per_call([&] { return crypto::verify_ballot(g.session, g.election_key, g.specs, cast).ok(); });
  const double token_proof_s =
      time_per_call([&] { return crypto::verify_token(g.token_key, t_point, ballot->token, ballot->token_proof).ok(); });
  const double token_record_s = time_per_call([&] {
    return crypto::verify_token_request(*device_of_token, g.session, token->round, token->blinded, token->request_sig)
               .ok() &&
           suite.verify_proof(crypto::point::generator(), g.token_key, blinded, evaluated, token->proof).ok();
  });
  const double declaration_s = time_per_call(
      [&] { return crypto::verify_voted(*device_of_voter, g.session, closed->round, closed->voted[0].sig).ok(); });

  const double replay = median(replay_s);
  const double n_ballots = static_cast<double>(g.ballots);
  const double ballot_crypto = verify_ballot_s + token_proof_s;
  const double all_crypto = ballot_crypto + token_record_s + declaration_s;
  std::printf("records                      %llu (%llu ballots)\n", static_cast<unsigned long long>(g.records),
              static_cast<unsigned long long>(g.ballots));
  std::printf("replay (median of %d)         %.2f s = %.0f records/s = %.0f ballots/s, %.3f ms per ballot\n", runs,
              replay, static_cast<double>(g.records) / replay, n_ballots / replay, 1e3 * replay / n_ballots);
  std::printf("verify a ballot record       %.3f ms (verify_ballot %.3f + token proof %.3f) = %.0f /s\n",
              1e3 * ballot_crypto, 1e3 * verify_ballot_s, 1e3 * token_proof_s, 1.0 / ballot_crypto);
  std::printf("  + its token record         %.3f ms (request signature + RFC 9497 proof)\n", 1e3 * token_record_s);
  std::printf("  + its declaration          %.3f ms\n", 1e3 * declaration_s);
  std::printf("ratio replay / ballot proofs %.2f\n", replay / (n_ballots * ballot_crypto));
  std::printf("ratio replay / all proofs    %.2f\n", replay / (n_ballots * all_crypto));
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path.string() + suffix);
  return 0;
}
