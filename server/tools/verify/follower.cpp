// The follower's decisions, record by record (see follower.hpp). Every head kept is one whose
// signature verified, so that any two of them that cannot belong to one chain are evidence that
// anyone can check (fork_evidence.hpp).
#include "follower.hpp"

#include <utility>
#include <variant>

#include "pingyi/core/record.hpp"
#include "pingyi/crypto/bytes.hpp"

namespace pingyi::verify {
namespace {

core::error feed_error(std::string message) {
  return core::fail(core::error_code::bad_request, "feed", std::move(message));
}

std::string type_of(std::string_view line) {
  auto r = core::decode(line);
  return r ? std::string(core::record_type_name(r->body)) : std::string();
}

}  // namespace

std::optional<std::pair<std::uint64_t, crypto::chain_hash>> envelope_of(std::string_view line) {
  constexpr std::string_view seq_key = "{\"seq\":";
  constexpr std::string_view prev_key = ",\"prev\":\"";
  if (!line.starts_with(seq_key)) return std::nullopt;
  std::size_t at = seq_key.size();
  std::uint64_t seq = 0;
  const std::size_t digits_from = at;
  while (at < line.size() && line[at] >= '0' && line[at] <= '9' && at - digits_from < 16) {
    seq = seq * 10 + static_cast<std::uint64_t>(line[at] - '0');
    ++at;
  }
  if (at == digits_from || line.substr(at, prev_key.size()) != prev_key) return std::nullopt;
  at += prev_key.size();
  if (line.size() < at + 65 || line[at + 64] != '"') return std::nullopt;
  auto prev = crypto::from_hex_fixed<32>(line.substr(at, 64));
  if (!prev) return std::nullopt;
  return std::pair{seq, *prev};
}

follower::follower(chain_result chain, std::vector<std::string> lines, const crypto::session_id& session)
    : chain_(std::move(chain)), lines_(std::move(lines)), session_(session) {
  if (chain_.state.genesis) {
    server_key_ = chain_.state.genesis->server_key;
    genesis_ = lines_.front();
  }
}

std::optional<std::string> follower::line_at(std::uint64_t seq) const {
  if (seq < lines_.size()) return lines_[seq];
  if (seq - lines_.size() < pending_.size()) return pending_[seq - lines_.size()].line;
  return std::nullopt;
}

crypto::chain_hash follower::hash_at(std::uint64_t seq) const {
  return seq < lines_.size() ? chain_.hashes[seq] : pending_[seq - lines_.size()].hash;
}

// Keeps a validly signed head, unless the server signed another hash for its seq before.
follower::verdict follower::note_head(const crypto::signed_head& head, const std::optional<std::string>& line,
                                      bool stored) {
  const auto earlier = heads_.find(head.seq);
  if (earlier == heads_.end()) {
    heads_.emplace(head.seq, head);
    if (!stored) new_heads_.push_back(head);
    return {};
  }
  if (earlier->second.hash == head.hash) return {};
  std::optional<std::string> first_line;
  if (auto l = line_at(head.seq); l && crypto::line_hash(*l) == earlier->second.hash) first_line = std::move(l);
  verdict v;
  v.what = verdict::kind::fork;
  v.fork = fork_evidence{fork_kind::same_seq, *genesis_, signed_record{earlier->second, first_line},
                         signed_record{head, line}};
  return v;
}

follower::verdict follower::add_stored_head(const crypto::signed_head& head) {
  // Kept before the genesis reached the mirror (a crash in between): it cannot be checked, and the
  // feed gives it again.
  if (!server_key_) return {};
  if (!crypto::verify_head(*server_key_, session_, head.seq, head.hash, head.sig)) {
    verdict v;
    v.what = verdict::kind::failed;
    v.problem = "heads.jsonl holds a head for record " + std::to_string(head.seq) +
                " that the server did not sign: the mirror has been altered";
    return v;
  }
  return note_head(head, std::nullopt, true);
}

std::optional<std::uint64_t> follower::first_line_without_head() const {
  for (std::uint64_t seq = 0; seq < lines_.size(); ++seq) {
    const auto h = heads_.find(seq);
    if (h == heads_.end() || h->second.hash != chain_.hashes[seq]) return seq;
  }
  return std::nullopt;
}

follower::verdict follower::add_head(const crypto::signed_head& head) {
  if (!server_key_) return {};
  if (!crypto::verify_head(*server_key_, session_, head.seq, head.hash, head.sig)) {
    return fail_next("", core::fail(core::error_code::invalid_signature, "head",
                                    "the server's signed head for record " + std::to_string(head.seq) +
                                        " does not verify"));
  }
  return note_head(head, std::nullopt, false);
}

follower::verdict follower::receive(std::uint64_t seq, std::string_view line, std::string_view sig_hex) {
  const std::string where = "record " + std::to_string(seq);
  const auto sig = crypto::signature::from_hex(sig_hex);
  if (!sig) return fail_next("", feed_error(where + ": its sig is not 128 hex digits"));
  const crypto::chain_hash hash = crypto::line_hash(line);

  if (!server_key_) {
    // The first record of an empty mirror: the genesis, whose key checks everything after it.
    if (seq != 0) return fail_next("", feed_error(where + " came first: the feed must start with the genesis (0)"));
    const auto r = core::decode(line);
    const auto* g = r ? std::get_if<core::genesis_body>(&r->body) : nullptr;
    if (g == nullptr) {
      // Not a genesis: the fold says why, as for a file.
      pending_.push_back(received{seq, std::string(line), hash});
      return flush(1);
    }
    if (hash != session_) {
      return fail_next("genesis", feed_error("the genesis hashes to " + crypto::to_hex(hash) +
                                             ": the server sent another session than the one asked for"));
    }
    server_key_ = g->server_key;
    genesis_ = std::string(line);
  }

  if (!crypto::verify_head(*server_key_, session_, seq, hash, *sig)) {
    return fail_next(type_of(line), core::fail(core::error_code::invalid_signature, "sig",
                                               where + ": the server's signed head for it does not verify"));
  }
  if (auto v = note_head(crypto::signed_head{seq, hash, *sig}, std::string(line), false); v.what != verdict::kind::ok) {
    return v;
  }
  if (seq < known()) return {};  // sent again (a resumed feed): the same hash, so the same line
  if (seq > known()) {
    return fail_next("", feed_error("the server skipped records " + std::to_string(known()) + " … " +
                                    std::to_string(seq - 1)));
  }

  // The next record. A prev other than the hash signed for the record before it is a fork; the
  // line must decode for that to be shown to anyone (otherwise it is merely a bad record).
  if (seq > 0) {
    const auto envelope = envelope_of(line);
    const crypto::chain_hash expected = hash_at(seq - 1);
    if (envelope && envelope->first == seq && envelope->second != expected) {
      const auto r = core::decode(line);
      if (r && r->prev == envelope->second) {
        verdict v;
        v.what = verdict::kind::fork;
        v.fork = fork_evidence{fork_kind::broken_link, *genesis_, signed_record{heads_.at(seq - 1), line_at(seq - 1)},
                               signed_record{crypto::signed_head{seq, hash, *sig}, std::string(line)}};
        return v;
      }
    }
  }
  pending_.push_back(received{seq, std::string(line), hash});
  return {};
}

follower::verdict follower::flush(unsigned threads) {
  if (pending_.empty()) return {};
  std::vector<std::string> batch;
  batch.reserve(pending_.size());
  for (auto& p : pending_) batch.push_back(std::move(p.line));
  pending_.clear();
  const std::size_t base = chain_.lines;
  extend_chain(chain_, batch, threads);
  const std::size_t ok = chain_.failure ? static_cast<std::size_t>(chain_.failure->seq - base) : batch.size();
  for (std::size_t i = 0; i < ok; ++i) {
    lines_.push_back(batch[i]);
    new_lines_.push_back(std::move(batch[i]));
  }
  if (!genesis_ && !lines_.empty()) genesis_ = lines_.front();
  verdict v;
  if (chain_.failure) v.what = verdict::kind::failed;
  return v;
}

// A failure that is not a record's own (a gap in the feed, a bad signed head): what was received
// before it is verified first, so that the report names the first thing that is wrong.
follower::verdict follower::fail_next(std::string type, core::error error, unsigned threads) {
  if (auto v = flush(threads); v.what != verdict::kind::ok) return v;
  chain_.failure = chain_failure{chain_.lines, std::move(type), std::move(error)};
  verdict v;
  v.what = verdict::kind::failed;
  return v;
}

follower::verdict follower::fail_feed(std::string message) { return fail_next("", feed_error(std::move(message))); }

std::vector<crypto::signed_head> follower::take_new_heads() { return std::exchange(new_heads_, {}); }
std::vector<std::string> follower::take_new_lines() { return std::exchange(new_lines_, {}); }

}  // namespace pingyi::verify
