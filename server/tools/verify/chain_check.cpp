// The check of a whole chain: decode every line and verify every signature and proof in
// parallel, then fold the records in order with apply. A record whose signatures and proofs
// verified in parallel is applied with ballot_proofs_checked and signatures_checked (apply still
// does every stateful check); one that did not is applied without them, so that apply names the
// exact field that fails.
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

// What the records of a chain are verified against, as the chain states it: the session id, the
// token and election keys, each round's contests, and, per record, the device key apply will
// check its signature with (a token's: the member's latest check-in key before it; a
// round_closed's declarations: the keys that signed those members' token requests).
struct verify_context {
  crypto::session_id session{};
  std::optional<crypto::point> token_key;
  std::optional<crypto::point> election_key;
  std::map<std::uint32_t, std::vector<crypto::contest_spec>> specs;   // by round
  std::vector<std::optional<crypto::verify_key>> token_keys;           // by line, for token records
  std::vector<std::vector<std::optional<crypto::verify_key>>> voted_keys;  // by line, for round_closed
};

verify_context scan_context(const std::vector<std::string>& lines,
                            const std::vector<std::optional<core::record>>& records) {
  verify_context c;
  if (!lines.empty()) c.session = crypto::line_hash(lines[0]);
  c.token_keys.resize(records.size());
  c.voted_keys.resize(records.size());
  std::map<std::string, crypto::verify_key, std::less<>> device;                        // member → key
  std::map<std::pair<std::uint32_t, std::string>, crypto::verify_key> token_device;  // (round, member) → key
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

// Every signature and proof of record i that apply would check, with the keys of the context.
// False also when a key is unknown: apply then checks the record itself and names the failure.
bool record_verifies(const verify_context& c, std::size_t i, const core::record& r) {
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
    if (!c.token_keys[i] || !c.token_key) return false;
    if (!crypto::verify_token_request(*c.token_keys[i], c.session, t->round, t->blinded, t->request_sig)) return false;
    const crypto::point blinded[1] = {t->blinded};
    const crypto::point evaluated[1] = {t->evaluated};
    return token_suite().verify_proof(crypto::point::generator(), *c.token_key, blinded, evaluated, t->proof).ok();
  }
  if (const auto* closed = std::get_if<core::round_closed_body>(&r.body)) {
    for (std::size_t k = 0; k < closed->voted.size(); ++k) {
      const auto& key = c.voted_keys[i][k];
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
  for (unsigned t = 1; t < threads; ++t) pool.emplace_back(run);
  run();
  for (auto& t : pool) t.join();
}

}  // namespace

chain_result check_chain(const std::vector<std::string>& lines, unsigned threads) {
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  chain_result out;
  out.lines = lines.size();

  // Decode every line (and keep its error) and hash it, in parallel.
  std::vector<std::optional<core::record>> records(lines.size());
  std::vector<std::optional<core::error>> decode_errors(lines.size());
  out.hashes.resize(lines.size());
  parallel_for(lines.size(), threads, [&](std::size_t i) {
    out.hashes[i] = crypto::line_hash(lines[i]);
    auto r = core::decode(lines[i]);
    if (r) {
      records[i] = std::move(r).value();
    } else {
      decode_errors[i] = r.error();
    }
  });

  // Every ballot's proofs, signature and token proof, every token's request signature and
  // proof, every check-in and declaration signature, in parallel.
  const verify_context context = scan_context(lines, records);
  std::vector<char> verified(lines.size(), 0);
  parallel_for(lines.size(), threads, [&](std::size_t i) {
    if (records[i]) verified[i] = record_verifies(context, i, *records[i]) ? 1 : 0;
  });

  // The fold, in order.
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (decode_errors[i]) {
      out.failure = chain_failure{i, "", *decode_errors[i]};
      break;
    }
    const core::record& r = *records[i];
    core::apply_options options;
    options.ballot_proofs_checked = verified[i] != 0;
    options.signatures_checked = verified[i] != 0;
    if (auto st = core::apply(out.state, r, out.hashes[i], options); !st) {
      out.failure = chain_failure{i, std::string(core::record_type_name(r.body)), st.error()};
      break;
    }
  }
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
