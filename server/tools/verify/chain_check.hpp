// pingyi-verify's check of a whole chain (DESIGN.md §3.6 "A verifier MUST recompute"): the
// same fold as the server (core's apply), with the expensive, independent part — every proof and
// signature — verified on every core while the fold follows behind.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "pingyi/core/error.hpp"
#include "pingyi/core/session_state.hpp"
#include "pingyi/crypto/chain.hpp"

namespace pingyi::verify {

// The first record that does not verify: its seq, its type (when it decoded) and why.
struct chain_failure {
  std::uint64_t seq = 0;
  std::string type;
  core::error error;
};

struct chain_result {
  core::session_state state;                // the fold up to (not including) the failure
  std::vector<crypto::chain_hash> hashes;   // of every line read, in seq order
  std::optional<chain_failure> failure;     // absent when every line verified
  std::size_t lines = 0;
};

// Checks `lines` (one record each, in order, without newlines) with `threads` workers for the
// proofs and signatures (0: as many as the machine has). The report covers every line up to the first that
// fails; nothing after it is trusted.
[[nodiscard]] chain_result check_chain(const std::vector<std::string>& lines, unsigned threads = 0);

// Checks `lines` as the continuation of `chain` (the first of them is record chain.lines) and
// folds them onto it, exactly as check_chain would have done with all the lines at once: what a
// follower runs on each batch of records that arrive. The keys the new records are verified
// with come from chain.state and from the new records themselves. Once chain holds a failure,
// later lines are counted and hashed but not trusted.
void extend_chain(chain_result& chain, std::span<const std::string> lines, unsigned threads = 0);

// Splits a JSONL file's content into lines: LF or CRLF endings, a missing final newline
// accepted, empty lines refused (a chain has none). Fails naming the line number.
[[nodiscard]] core::result<std::vector<std::string>> split_lines(std::string_view text);

}  // namespace pingyi::verify
