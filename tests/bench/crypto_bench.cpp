// pingyi-crypto-bench: the cost of the group operations and of everything built on them, and,
// for ballot verification and building, the ratio of the measured time to its floor — the
// scalar multiplications, additions, hashes to the group and signature operations that the
// algorithm must do, priced at their unit costs measured in the same run. libsodium has no
// multi-scalar multiplication, so that floor is what any implementation over it can reach.
// Not a test: run by hand, figures in docs/BENCHMARKS.md.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "pingyi/crypto/ballot.hpp"
#include "pingyi/crypto/decryption.hpp"
#include "pingyi/crypto/ed25519.hpp"
#include "pingyi/crypto/hash.hpp"
#include "pingyi/crypto/init.hpp"
#include "pingyi/crypto/tally.hpp"
#include "pingyi/crypto/token.hpp"
#include "pingyi/crypto/trustee.hpp"

namespace {

using namespace pingyi::crypto;

random_source& bench_rng() {
  static deterministic_random rng(sha256(as_bytes("pingyi-crypto-bench")));
  return rng;
}

// ---- unit costs -----------------------------------------------------------------------------

void BM_ScalarMultBase(benchmark::State& state) {
  const scalar s = scalar::random(bench_rng());
  for (auto _ : state) benchmark::DoNotOptimize(point::mul_base(s));
}
BENCHMARK(BM_ScalarMultBase);

void BM_ScalarMultVariable(benchmark::State& state) {
  const scalar s = scalar::random(bench_rng());
  const point p = point::mul_base(scalar::random(bench_rng()));
  for (auto _ : state) benchmark::DoNotOptimize(s * p);
}
BENCHMARK(BM_ScalarMultVariable);

void BM_PointAdd(benchmark::State& state) {
  const point a = point::mul_base(scalar::random(bench_rng()));
  const point b = point::mul_base(scalar::random(bench_rng()));
  for (auto _ : state) benchmark::DoNotOptimize(a + b);
}
BENCHMARK(BM_PointAdd);

void BM_HashToGroup(benchmark::State& state) {
  const bytes input(32 + 4 + 32 + 15, 0x5a);  // the size of a token input
  const voprf::suite suite(voprf::mode::voprf);
  for (auto _ : state) benchmark::DoNotOptimize(suite.hash_to_group(input));
}
BENCHMARK(BM_HashToGroup);

void BM_Ed25519Sign(benchmark::State& state) {
  const signing_key key = signing_key::generate(bench_rng());
  const byte_array<64> digest = sha512(as_bytes("ballot"));
  for (auto _ : state) benchmark::DoNotOptimize(key.sign(digest));
}
BENCHMARK(BM_Ed25519Sign);

void BM_Ed25519Verify(benchmark::State& state) {
  const signing_key key = signing_key::generate(bench_rng());
  const byte_array<64> digest = sha512(as_bytes("ballot"));
  const signature sig = key.sign(digest);
  const verify_key vk = key.public_key();
  for (auto _ : state) benchmark::DoNotOptimize(verify(vk, digest, sig).ok());
}
BENCHMARK(BM_Ed25519Verify);

// ---- tokens -------------------------------------------------------------------------------

void BM_VoprfBlindEvaluate(benchmark::State& state) {
  const voprf::key_pair key = generate_token_key(bench_rng());
  const point blinded = point::mul_base(scalar::random(bench_rng()));
  for (auto _ : state) benchmark::DoNotOptimize(issue_token(key, blinded, bench_rng()));
}
BENCHMARK(BM_VoprfBlindEvaluate);

// ---- ballots ------------------------------------------------------------------------------

struct ballot_fixture {
  session_id sid{};
  voprf::key_pair token_key;
  scalar x;
  point election;
  std::vector<contest_spec> specs;
  ballot_choices choices;
  signing_key ske = signing_key::generate(bench_rng());
  point token;
  ballot cast;

  explicit ballot_fixture(std::size_t contests)
      : token_key(generate_token_key(bench_rng())), x(scalar::random(bench_rng())), election(point::mul_base(x)) {
    sid = sha256(as_bytes("bench session"));
    for (std::size_t k = 0; k < contests; ++k) {
      specs.push_back({std::string("t").append(std::to_string(k)), 3, 1, 1});
      std::vector<std::uint8_t> c(3, 0);
      c[k % 3] = 1;
      choices.push_back(c);
    }
    auto req = blind_token(sid, 1, ske.public_key(), bench_rng());
    auto ev = issue_token(token_key, req->element, bench_rng());
    token = *unblind_token(token_key.pk, *req, ev.elements[0], ev.dleq);
    cast = *build_ballot(sid, 1, ske, token, election, specs, choices, bench_rng());
  }
};

const ballot_fixture& fixture(std::size_t contests) {
  static std::map<std::size_t, ballot_fixture> cache;
  auto it = cache.find(contests);
  if (it == cache.end()) it = cache.emplace(contests, ballot_fixture(contests)).first;
  return it->second;
}

// What an observer or the verifier does for one ballot: the token proof, every range and
// limit proof, and the signature.
void BM_VerifyBallot(benchmark::State& state) {
  const auto& f = fixture(static_cast<std::size_t>(state.range(0)));
  const proof token_proof =
      prove_token(f.token_key, token_point(f.sid, 1, f.cast.vk), f.cast.token, bench_rng());
  for (auto _ : state) {
    const point t = token_point(f.sid, 1, f.cast.vk);
    const bool ok = verify_token(f.token_key.pk, t, f.cast.token, token_proof).ok() &&
                    verify_ballot(f.sid, f.election, f.specs, f.cast).ok();
    if (!ok) state.SkipWithError("ballot did not verify");
    benchmark::DoNotOptimize(ok);
  }
}
BENCHMARK(BM_VerifyBallot)->Arg(1)->Arg(28)->Unit(benchmark::kMicrosecond);

// What the server does to accept one ballot: the token check with skT, the proof it attaches,
// every range and limit proof, and the signature.
void BM_AcceptBallot(benchmark::State& state) {
  const auto& f = fixture(static_cast<std::size_t>(state.range(0)));
  for (auto _ : state) {
    const point t = token_point(f.sid, 1, f.cast.vk);
    const bool ok = check_token(f.token_key.sk, t, f.cast.token).ok() &&
                    verify_ballot(f.sid, f.election, f.specs, f.cast).ok();
    benchmark::DoNotOptimize(prove_token(f.token_key, t, f.cast.token, bench_rng()));
    if (!ok) state.SkipWithError("ballot did not verify");
  }
}
BENCHMARK(BM_AcceptBallot)->Arg(1)->Arg(28)->Unit(benchmark::kMicrosecond);

void BM_BuildBallot(benchmark::State& state) {
  const auto& f = fixture(static_cast<std::size_t>(state.range(0)));
  for (auto _ : state) {
    benchmark::DoNotOptimize(build_ballot(f.sid, 1, f.ske, f.token, f.election, f.specs, f.choices, bench_rng()));
  }
}
BENCHMARK(BM_BuildBallot)->Arg(1)->Arg(28)->Unit(benchmark::kMicrosecond);

// ---- decryption -------------------------------------------------------------------------

void BM_DecryptionShare(benchmark::State& state) {
  const trustee_key key = generate_trustee_key(bench_rng());
  const point a = point::mul_base(scalar::random(bench_rng()));
  const share_context ctx{sha256(as_bytes("s")), sha256(as_bytes("c")), 1, "t0", 0, "server"};
  for (auto _ : state) benchmark::DoNotOptimize(make_share(ctx, key, a, bench_rng()));
}
BENCHMARK(BM_DecryptionShare);

void BM_VerifyDecryptionShare(benchmark::State& state) {
  const trustee_key key = generate_trustee_key(bench_rng());
  const point a = point::mul_base(scalar::random(bench_rng()));
  const share_context ctx{sha256(as_bytes("s")), sha256(as_bytes("c")), 1, "t0", 0, "server"};
  const decryption_share share = make_share(ctx, key, a, bench_rng());
  for (auto _ : state) benchmark::DoNotOptimize(verify_share(ctx, key.key, a, share).ok());
}
BENCHMARK(BM_VerifyDecryptionShare);

// Building the table of j·G for a 3,000-member round, then finding one count.
void BM_CountRecovery(benchmark::State& state) {
  const auto max = static_cast<std::uint32_t>(state.range(0));
  const point m = point::mul_base(scalar::from_u64(max / 2));
  for (auto _ : state) {
    const count_table table(max);
    benchmark::DoNotOptimize(table.find(m));
  }
}
BENCHMARK(BM_CountRecovery)->Arg(3000)->Unit(benchmark::kMillisecond);

// ---- the floor ----------------------------------------------------------------------------

// Captures each benchmark's time per iteration (ns) while printing as usual: the median when
// the run has repetitions (--benchmark_repetitions=N), else the single run.
class capturing_reporter : public benchmark::ConsoleReporter {
 public:
  std::map<std::string, double> ns;
  void ReportRuns(const std::vector<Run>& runs) override {
    for (const auto& run : runs) {
      if (run.error_occurred || run.iterations == 0) continue;
      const double per_iter = run.real_accumulated_time / static_cast<double>(run.iterations) * 1e9;
      if (run.run_type == Run::RT_Aggregate && run.aggregate_name == "median") {
        ns[run.run_name.str()] = per_iter;
        medians_.insert(run.run_name.str());
      } else if (run.run_type == Run::RT_Iteration && !medians_.count(run.run_name.str())) {
        ns[run.run_name.str()] = per_iter;
      }
    }
    ConsoleReporter::ReportRuns(runs);
  }

 private:
  std::set<std::string> medians_;
};

// The operations one algorithm must do, priced at the measured unit costs.
struct op_counts {
  double base = 0, variable = 0, add = 0, hash_to_group = 0, sign = 0, verify = 0;
  [[nodiscard]] double price(const std::map<std::string, double>& ns) const {
    return base * ns.at("BM_ScalarMultBase") + variable * ns.at("BM_ScalarMultVariable") +
           add * ns.at("BM_PointAdd") + hash_to_group * ns.at("BM_HashToGroup") + sign * ns.at("BM_Ed25519Sign") +
           verify * ns.at("BM_Ed25519Verify");
  }
};

// A range proof over lo..hi verified (DESIGN.md §3.3): per j, s_j·G (base), c_j·α, s_j·X and
// c_j·(β − j·G) (variable), two subtractions, and β − j·G for j ≠ 0 (j·G itself is cached).
op_counts verify_range_ops(unsigned lo, unsigned hi) {
  op_counts o;
  for (unsigned j = lo; j <= hi; ++j) {
    o.base += 1;
    o.variable += 3;
    o.add += 2 + (j != 0 ? 1 : 0);
  }
  return o;
}

op_counts& operator+=(op_counts& a, const op_counts& b) {
  a.base += b.base;
  a.variable += b.variable;
  a.add += b.add;
  a.hash_to_group += b.hash_to_group;
  a.sign += b.sign;
  a.verify += b.verify;
  return a;
}

// Verification of a ballot of `contests` contests of 3 options, min = max = 1, with its token
// proof (VerifyProof for a batch of one: T = HashToGroup(input); M = d·T, Z = d·N;
// t2 = s·G + c·pkT; t3 = s·M + c·Z) and its signature.
op_counts verify_ballot_ops(unsigned contests) {
  op_counts o;
  for (unsigned k = 0; k < contests; ++k) {
    for (int i = 0; i < 3; ++i) o += verify_range_ops(0, 1);
    o.add += 2 * 2;  // Σα and Σβ over 3 options
    o += verify_range_ops(1, 1);
  }
  o.hash_to_group += 1;
  o.base += 1;
  o.variable += 5;
  o.add += 2;
  o.verify += 1;
  return o;
}

// The server's acceptance: the same proofs and signature, but the token checked with skT
// (T, skT·T) and proved (ComputeCompositesFast: M = d·T, Z = k·M; t2 = r·G, t3 = r·M).
op_counts accept_ballot_ops(unsigned contests) {
  op_counts o = verify_ballot_ops(contests);
  o.base -= 1;
  o.variable -= 5;
  o.add -= 2;
  o.variable += 1 + 3;
  o.base += 1;
  return o;
}

// Building: per selection, α = r·G, r·X and v·G + r·X; the simulated branch (s·G, c·α, s·X,
// c·(β − j·G), two subtractions and β − j·G) and the real one (w·G, w·X); the limit proof with
// one value (w·G, w·X) on the sums; and the signature.
op_counts build_ballot_ops(unsigned contests) {
  op_counts o;
  for (unsigned k = 0; k < contests; ++k) {
    for (int i = 0; i < 3; ++i) {
      o.base += 1 + 1 + 1;
      o.variable += 1 + 3 + 1;
      o.add += 1 + 2 + 0.5;  // β − G for the simulated j = 1 on two of three options (0 or 1)
    }
    o.add += 2 * 2;
    o.base += 1;
    o.variable += 1;
  }
  o.sign += 1;
  return o;
}

}  // namespace

int main(int argc, char** argv) {
  if (!init()) return 1;
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  capturing_reporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();

  const auto& ns = reporter.ns;
  for (const char* unit : {"BM_ScalarMultBase", "BM_ScalarMultVariable", "BM_PointAdd", "BM_HashToGroup",
                           "BM_Ed25519Sign", "BM_Ed25519Verify"}) {
    if (!ns.count(unit)) {
      std::printf("\n(floor not computed: run without --benchmark_filter to measure the unit costs)\n");
      return 0;
    }
  }
  std::printf("\nRatio to the floor (the operations each must do, priced at this run's unit costs):\n");
  std::printf("  %-28s %12s %12s %8s %14s\n", "", "measured us", "floor us", "ratio", "per core /s");
  struct row {
    const char* label;
    std::string name;
    op_counts ops;
  };
  const row rows[] = {
      {"verify ballot 1x3", "BM_VerifyBallot/1", verify_ballot_ops(1)},
      {"verify ballot 28x3", "BM_VerifyBallot/28", verify_ballot_ops(28)},
      {"accept ballot 1x3 (server)", "BM_AcceptBallot/1", accept_ballot_ops(1)},
      {"accept ballot 28x3 (server)", "BM_AcceptBallot/28", accept_ballot_ops(28)},
      {"build ballot 1x3", "BM_BuildBallot/1", build_ballot_ops(1)},
      {"build ballot 28x3", "BM_BuildBallot/28", build_ballot_ops(28)},
  };
  for (const auto& r : rows) {
    auto it = ns.find(r.name);
    if (it == ns.end()) continue;
    const double floor_ns = r.ops.price(ns);
    std::printf("  %-28s %12.1f %12.1f %8.3f %14.0f\n", r.label, it->second / 1e3, floor_ns / 1e3,
                it->second / floor_ns, 1e9 / it->second);
  }
  return 0;
}
