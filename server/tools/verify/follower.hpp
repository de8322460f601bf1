// What `pingyi-verify --follow` decides about each record the server pushes, without any I/O:
// its signed head must verify with genesis' server_key; it must not contradict a head the server
// signed before (the same seq with another hash, or a prev other than the hash signed for the seq
// before it: a fork, with evidence); a record sent again must be the one kept; then the records
// are verified and folded in batches (extend_chain: core's apply, the server's own fold). The
// caller persists what take_new_heads() and take_new_lines() give, heads first (mirror.hpp).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "chain_check.hpp"
#include "fork_evidence.hpp"
#include "pingyi/crypto/chain.hpp"
#include "pingyi/crypto/session_id.hpp"

namespace pingyi::verify {

class follower {
 public:
  // `lines` are the mirror's, already verified into `chain` by check_chain without failure;
  // `session` is the session asked for: a genesis that does not hash to it is refused.
  follower(chain_result chain, std::vector<std::string> lines, const crypto::session_id& session);

  struct verdict {
    enum class kind { ok, failed, fork };
    kind what = kind::ok;
    std::optional<fork_evidence> fork;  // for fork
    // failed: chain().failure names the record and the reason; `problem` says the same for a
    // failure outside the chain (a head in heads.jsonl the server never signed).
    std::string problem;
  };

  // A head kept in the mirror's heads.jsonl (checked as any other head the server gave).
  [[nodiscard]] verdict add_stored_head(const crypto::signed_head& head);
  // The first mirror line with no signed head of its own among those seen, if any: such a mirror
  // cannot prove a later rewrite of that record.
  [[nodiscard]] std::optional<std::uint64_t> first_line_without_head() const;
  // A head given without its line (GET /api/sessions/ID/head).
  [[nodiscard]] verdict add_head(const crypto::signed_head& head);
  // A `record` push: {seq, line, sig}.
  [[nodiscard]] verdict receive(std::uint64_t seq, std::string_view line, std::string_view sig_hex);
  // Verifies and folds the records received since the last flush, on `threads` cores.
  [[nodiscard]] verdict flush(unsigned threads);
  // The feed itself is wrong (a message that is not a record push): a failure at the next record.
  [[nodiscard]] verdict fail_feed(std::string message);

  // What to persist: the heads seen and the lines verified since the last call, in order.
  [[nodiscard]] std::vector<crypto::signed_head> take_new_heads();
  [[nodiscard]] std::vector<std::string> take_new_lines();

  [[nodiscard]] std::uint64_t verified() const noexcept { return lines_.size(); }
  [[nodiscard]] std::size_t pending() const noexcept { return pending_.size(); }
  // Where to ask the feed to start: the last verified record (sent again, it must be the same),
  // or 0.
  [[nodiscard]] std::uint64_t resume_from() const noexcept { return lines_.empty() ? 0 : lines_.size() - 1; }
  [[nodiscard]] bool adjourned() const noexcept { return chain_.state.adjourned; }
  [[nodiscard]] const chain_result& chain() const noexcept { return chain_; }
  [[nodiscard]] const std::vector<std::string>& lines() const noexcept { return lines_; }

 private:
  struct received {
    std::uint64_t seq = 0;
    std::string line;
    crypto::chain_hash hash{};
  };

  [[nodiscard]] std::uint64_t known() const noexcept { return lines_.size() + pending_.size(); }
  [[nodiscard]] std::optional<std::string> line_at(std::uint64_t seq) const;
  [[nodiscard]] crypto::chain_hash hash_at(std::uint64_t seq) const;
  [[nodiscard]] verdict note_head(const crypto::signed_head& head, const std::optional<std::string>& line, bool stored);
  [[nodiscard]] verdict fail_next(std::string type, core::error error, unsigned threads = 1);

  chain_result chain_;
  std::vector<std::string> lines_;  // verified, in seq order
  std::vector<received> pending_;   // received after lines_, signatures checked, not yet verified
  crypto::session_id session_{};
  std::optional<crypto::verify_key> server_key_;
  std::optional<std::string> genesis_;
  std::map<std::uint64_t, crypto::signed_head> heads_;  // every head seen, one per seq
  std::vector<crypto::signed_head> new_heads_;
  std::vector<std::string> new_lines_;
};

// The seq and prev of a line, read from its first fields as §3.6 orders them
// ({"seq":n,"prev":"<64 hex>",…}) without decoding the rest; nullopt when it does not start so.
[[nodiscard]] std::optional<std::pair<std::uint64_t, crypto::chain_hash>> envelope_of(std::string_view line);

}  // namespace pingyi::verify
