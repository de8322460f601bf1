// The check of a chain: decode and hash every line in parallel, then verify every signature and
// proof on every core while the fold (apply, in order) follows behind on the calling thread. A
// record whose signatures and proofs verified is applied with ballot_proofs_checked and
// signatures_checked (apply still does every stateful check); one that did not is applied without
// them, so that apply names the exact field that fails. The fold never waits for the whole chain
// to be verified, only for the record it is at: on two cores a 3,000-member session used to spend
// its last 7% folding alone.
//
// The parallel check uses the session id (hash of line 0), genesis' token key, the election key,
// the round's contests and the members' device keys as the chain states them. They are the
// values apply will use: if apply refuses any of the records they come from, the fold stops
// there, before any record that depended on them.
#include "chain_check.hpp"

#include <algorithm>
#include <atomic>
#include <map>
#include <thread>
#include <utility>
#include <variant>

#include "pingyi/core/record.hpp"
#include "pingyi/crypto/ballot.hpp"
#include "pingyi/crypto/device.hpp"
#include "pingyi/crypto/token.hpp"
#include "pingyi/crypto/voprf.hpp"

namespace pingyi::verify {
namespace {

// What the new records of a chain are verified against, as the chain states it: the session id,
// the token and election keys, each round's contests, and, per new record, the device key apply
// will check its signature with (a token's: the member's latest check-in key before it; a
// round_closed's declarations: the keys that signed those members' token requests).
struct verify_context {
  crypto::session_id session{};
  std::optional<crypto::point> token_key;
  std::optional<crypto::point> election_key;
  std::map<std::uint32_t, std::vector<crypto::contest_spec>> specs;   // by round
  std::vector<std::optional<crypto::verify_key>> token_keys;           // by new line, for token records
  std::vector<std::vector<std::optional<crypto::verify_key>>> voted_keys;  // by new line, for round_closed
};

// The context of `records` (the lines after those folded into `before`): first what the fold so
// far established, then what the new records say, in order.
verify_context scan_context(const core::session_state& before, const std::vector<std::optional<core::record>>& records,
                            const std::optional<crypto::chain_hash>& first_hash) {
  verify_context c;
  if (before.length > 0) {
    c.session = before.id;
  } else if (first_hash) {
    c.session = *first_hash;
  }
  if (before.genesis) c.token_key = before.genesis->token_key;
  c.election_key = before.election_key;
  std::map<std::string, crypto::verify_key, std::less<>> device;                        // member → key
  std::map<std::pair<std::uint32_t, std::string>, crypto::verify_key> token_device;  // (round, member) → key
  for (const auto& m : before.members) {
    if (m.device_key) device.insert_or_assign(m.id, *m.device_key);
  }
  for (const auto& r : before.rounds) {
    c.specs.emplace(r.definition.round, r.specs);
    for (const auto& [member, t] : r.tokens) token_device.emplace(std::make_pair(r.definition.round, member), t.device_key);
  }

  c.token_keys.resize(records.size());
  c.voted_keys.resize(records.size());
  for (std::size_t i = 0; i < records.size(); ++i) {
    const auto& r = records[i];
    if (!r) continue;
    if (const auto* g = std::get_if<core::genesis_body>(&r->body); g && !c.token_key) c.token_key = g->token_key;
    if (const auto* e = std::get_if<core::election_key_body>(&r->body); e && !c.election_key) c.election_key = e->key;
    if (const auto* d = std::get_if<core::round_body>(&r->body); d && !c.specs.contains(d->round)) {
      c.specs.emplace(d->round, core::specs_of(*d));
    }
    if (const auto* in = std::get_if<core::check_in_body>(&r->body)) device.insert_or_assign(in->member, in->device_key);
    if (const auto* t = std::get_if<core::token_body>(&r->body)) {
      const auto key = device.find(t->member);
      if (key != device.end()) {
        c.token_keys[i] = key->second;
        token_device.emplace(std::make_pair(t->round, t->member), key->second);
      }
    }
    if (const auto* closed = std::get_if<core::round_closed_body>(&r->body)) {
      for (const auto& d : closed->voted) {
        const auto key = token_device.find(std::make_pair(closed->round, d.member));
        c.voted_keys[i].push_back(key == token_device.end() ? std::nullopt : std::optional(key->second));
      }
    }
  }
  return c;
}

const crypto::voprf::suite& token_suite() {
  static const crypto::voprf::suite s(crypto::voprf::mode::voprf);
  return s;
}

// A unit of parallel work: the signatures and proofs of one record, or, for a round_closed, of
// a slice of its declarations (3,000 of them are 0.15 s for one core: whole, they would be the
// last job of the chain, verified while the other cores idle).
struct job {
  std::size_t line = 0;   // index into the new lines
  std::size_t begin = 0;  // round_closed: declarations [begin, end)
  std::size_t end = 0;
};

constexpr std::size_t declarations_per_job = 64;

// The jobs of every record that has signatures or proofs apply would check, in line order (so
// that the fold, which waits for them in that order, is kept busy).
std::vector<job> jobs_of(const std::vector<std::optional<core::record>>& records) {
  std::vector<job> jobs;
  for (std::size_t i = 0; i < records.size(); ++i) {
    if (!records[i]) continue;
    const auto& body = records[i]->body;
    if (const auto* closed = std::get_if<core::round_closed_body>(&body)) {
      std::size_t begin = 0;
      do {
        const std::size_t end = std::min(closed->voted.size(), begin + declarations_per_job);
        jobs.push_back(job{i, begin, end});
        begin = end;
      } while (begin < closed->voted.size());
    } else if (std::holds_alternative<core::ballot_body>(body) || std::holds_alternative<core::check_in_body>(body) ||
               std::holds_alternative<core::token_body>(body)) {
      jobs.push_back(job{i, 0, 0});
    }
  }
  return jobs;
}

// Every signature and proof of the job's record (or slice) that apply would check, with the keys
// of the context. False also when a key is unknown: apply then checks the record itself and
// names the failure.
bool job_verifies(const verify_context& c, const job& w, const core::record& r) {
  if (const auto* b = std::get_if<core::ballot_body>(&r.body)) {
    const auto specs = c.specs.find(b->round);
    if (!c.token_key || !c.election_key || specs == c.specs.end()) return false;
    const auto t = crypto::token_point(c.session, b->round, b->vk);
    if (!crypto::verify_token(*c.token_key, t, b->token, b->token_proof)) return false;
    const crypto::ballot cast{b->round, b->vk, b->token, b->contests, b->sig};
    return crypto::verify_ballot(c.session, *c.election_key, specs->second, cast).ok();
  }
  if (const auto* in = std::get_if<core::check_in_body>(&r.body)) {
    return crypto::verify_checkin(in->device_key, c.session, in->member, in->sig).ok();
  }
  if (const auto* t = std::get_if<core::token_body>(&r.body)) {
    if (!c.token_keys[w.line] || !c.token_key) return false;
    if (!crypto::verify_token_request(*c.token_keys[w.line], c.session, t->round, t->blinded, t->request_sig)) return false;
    const crypto::point blinded[1] = {t->blinded};
    const crypto::point evaluated[1] = {t->evaluated};
    return token_suite().verify_proof(crypto::point::generator(), *c.token_key, blinded, evaluated, t->proof).ok();
  }
  if (const auto* closed = std::get_if<core::round_closed_body>(&r.body)) {
    for (std::size_t k = w.begin; k < w.end; ++k) {
      const auto& key = c.voted_keys[w.line][k];
      if (!key || !crypto::verify_voted(*key, c.session, closed->round, closed->voted[k].sig)) return false;
    }
    return true;
  }
  return false;
}

// Runs work(i) for i in [0, n) on `threads` threads, each taking the next index.
template <class F>
void parallel_for(std::size_t n, unsigned threads, F&& work) {
  std::atomic<std::size_t> next{0};
  auto run = [&] {
    for (std::size_t i = next++; i < n; i = next++) work(i);
  };
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < threads && t < n; ++t) pool.emplace_back(run);
  run();
  for (auto& t : pool) t.join();
}

}  // namespace

void extend_chain(chain_result& chain, std::span<const std::string> lines, unsigned threads) {
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  const std::size_t base = chain.lines;
  const std::size_t n = lines.size();
  chain.lines += n;
  chain.hashes.resize(base + n);
  if (chain.failure) {
    for (std::size_t i = 0; i < n; ++i) chain.hashes[base + i] = crypto::line_hash(lines[i]);
    return;
  }

  // Decode every line (and keep its error) and hash it, in parallel.
  std::vector<std::optional<core::record>> records(n);
  std::vector<std::optional<core::error>> decode_errors(n);
  parallel_for(n, threads, [&](std::size_t i) {
    chain.hashes[base + i] = crypto::line_hash(lines[i]);
    auto r = core::decode(lines[i]);
    if (r) {
      records[i] = std::move(r).value();
    } else {
      decode_errors[i] = r.error();
    }
  });

  const verify_context context =
      scan_context(chain.state, records, n > 0 ? std::optional(chain.hashes[base]) : std::nullopt);
  const std::vector<job> jobs = jobs_of(records);

  // Per line: the jobs not yet done (the fold applies a line once it reaches 0) and whether any
  // of them failed. A line without jobs starts at 0 and is applied with every check of apply.
  std::vector<std::atomic<std::uint32_t>> remaining(n);
  std::vector<std::atomic<bool>> refused(n);
  std::vector<char> has_jobs(n, 0);
  for (const auto& w : jobs) {
    remaining[w.line].fetch_add(1, std::memory_order_relaxed);
    has_jobs[w.line] = 1;
  }

  std::atomic<std::size_t> next_job{0};
  std::atomic<bool> stop{false};
  // Takes the next job and does it; false when none is left (or the fold has stopped).
  auto run_one = [&]() -> bool {
    if (stop.load(std::memory_order_relaxed)) return false;
    const std::size_t j = next_job.fetch_add(1, std::memory_order_relaxed);
    if (j >= jobs.size()) return false;
    const job& w = jobs[j];
    if (!job_verifies(context, w, *records[w.line])) refused[w.line].store(true, std::memory_order_relaxed);
    // acq_rel: the fold, seeing 0, also sees `refused` and everything job_verifies read.
    if (remaining[w.line].fetch_sub(1, std::memory_order_acq_rel) == 1) remaining[w.line].notify_all();
    return true;
  };
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < threads && t < jobs.size(); ++t) {
    pool.emplace_back([&] {
      while (run_one()) {
      }
    });
  }

  // The fold, in order, on this thread; while the record it is at is still being verified, this
  // thread verifies the next job itself rather than wait.
  for (std::size_t i = 0; i < n; ++i) {
    if (decode_errors[i]) {
      chain.failure = chain_failure{base + i, "", *decode_errors[i]};
      break;
    }
    for (std::uint32_t left = remaining[i].load(std::memory_order_acquire); left != 0;
         left = remaining[i].load(std::memory_order_acquire)) {
      if (!run_one()) remaining[i].wait(left, std::memory_order_acquire);
    }
    const core::record& r = *records[i];
    const bool verified = has_jobs[i] != 0 && !refused[i].load(std::memory_order_relaxed);
    core::apply_options options;
    options.ballot_proofs_checked = verified;
    options.signatures_checked = verified;
    if (auto st = core::apply(chain.state, r, chain.hashes[base + i], options); !st) {
      chain.failure = chain_failure{base + i, std::string(core::record_type_name(r.body)), st.error()};
      break;
    }
  }
  stop.store(true, std::memory_order_relaxed);
  for (auto& t : pool) t.join();
}

chain_result check_chain(const std::vector<std::string>& lines, unsigned threads) {
  chain_result out;
  extend_chain(out, lines, threads);
  return out;
}

core::result<std::vector<std::string>> split_lines(std::string_view text) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  std::size_t number = 1;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) {
      return core::fail(core::error_code::bad_request, std::string("line ").append(std::to_string(number)),
                        "is empty: a chain has one record on every line");
    }
    lines.emplace_back(line);
    start = end + 1;
    ++number;
  }
  return lines;
}

}  // namespace pingyi::verify
