// Evidence that a server signed two histories of one session (DESIGN.md §3.6 signed heads, §7 "rewrite
// history that anyone has seen signed"): two heads it signed that cannot both belong to one chain,
// with the genesis line, so that anyone can check both signatures with genesis' server_key and see
// the contradiction without trusting the observer who found it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "pingyi/core/error.hpp"
#include "pingyi/crypto/chain.hpp"

namespace pingyi::verify {

enum class fork_kind {
  // Two different hashes signed for the same seq: the record at that seq was rewritten.
  same_seq,
  // A record signed at seq n + 1 whose prev is not the hash signed for seq n: the history before
  // it was rewritten (or the chain forked there).
  broken_link,
};

// A signed head, and the line it signs when the observer has it (a head kept from a feed whose
// record a crash kept out of the mirror has none; a broken link's second record always has one).
struct signed_record {
  crypto::signed_head head;
  std::optional<std::string> line;
};

struct fork_evidence {
  fork_kind kind = fork_kind::same_seq;
  std::string genesis;    // the genesis line: the session id is its hash, the server key is in it
  signed_record first;    // what the server signed first (the observer's mirror)
  signed_record second;   // what it signed later, contradicting it
};

// DIR/fork-evidence.json: {"format", "kind", "session", "server_key", "explanation" {zh, en},
// "genesis", "first" {seq, hash, sig, line}, "second" {…}}. session and server_key are there for a
// reader; a checker recomputes them from genesis.
[[nodiscard]] nlohmann::ordered_json to_json(const fork_evidence& e);
[[nodiscard]] core::result<fork_evidence> parse_fork_evidence(std::string_view text);

// Whether `e` proves a fork: genesis decodes as a genesis record; both signatures verify with its
// server_key over its hash as the session id; each line given hashes to its head; and
// same_seq: equal seqs, different hashes; broken_link: second.seq = first.seq + 1 and second's
// line, which must be given and decode, has a prev other than first's hash. The error names the
// first thing that does not hold.
[[nodiscard]] core::status check_fork_evidence(const fork_evidence& e);

}  // namespace pingyi::verify
