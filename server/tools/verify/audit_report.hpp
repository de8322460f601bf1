// What pingyi-verify tells an observer: the session, whether every record verified (and if not,
// the exact record and reason), per round the attendance, tokens, ballots, declarations and the
// results by target and option, the signed head, and receipts looked up — as text in Chinese or
// English, or as JSON for scripts and archives.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "chain_check.hpp"
#include "fork_evidence.hpp"
#include "pingyi/crypto/chain.hpp"

namespace pingyi::verify {

enum class language { zh, en };

// A signed head given by the server (`GET …/head` or --head FILE), checked against the chain.
struct head_check {
  crypto::signed_head head;
  bool signature_ok = false;  // by genesis' server_key over this session, seq and hash
  bool on_chain = false;      // the chain read has a record at seq with this hash
};

// A receipt looked up: by its short code (XXXX-XXXX, the first 5 bytes of the hash) or in full.
struct receipt_check {
  std::string query;
  std::optional<std::uint64_t> seq;  // the ballot record it names, when found
  std::optional<std::uint32_t> round;
  bool signature_ok = true;  // a full receipt's signature verified (true when only a code was given)
  bool ambiguous = false;    // a short code matching more than one ballot
};

[[nodiscard]] head_check check_head(const chain_result& chain, const crypto::signed_head& head);
// `query`: "XXXX-XXXX" (case and dashes as a person types them), or a JSON receipt
// {"seq": n, "hash": "<hex>", "sig": "<hex>"}.
[[nodiscard]] receipt_check check_receipt(const chain_result& chain, const std::vector<std::string>& lines,
                                          const std::string& query);

// Everything verified: every line, and the head and receipts when given.
[[nodiscard]] bool all_verified(const chain_result& chain, const std::optional<head_check>& head,
                                const std::vector<receipt_check>& receipts);

// A fork --follow caught (the server contradicted a head it signed), and the file holding its
// evidence: reported before the verdict, which it makes ✗ whatever the records say.
struct fork_notice {
  fork_evidence evidence;
  std::string path;
};

[[nodiscard]] std::string render_text(const chain_result& chain, const std::optional<head_check>& head,
                                      const std::vector<receipt_check>& receipts, language lang,
                                      const std::optional<fork_notice>& fork = std::nullopt);
// What an observer is told of a fork: the two signed heads, the contradiction, and where the
// evidence file is (`path`); also what --check-evidence prints.
[[nodiscard]] std::string render_fork_text(const fork_evidence& e, const std::string& path, language lang);
[[nodiscard]] nlohmann::ordered_json render_json(const chain_result& chain, const std::optional<head_check>& head,
                                                 const std::vector<receipt_check>& receipts,
                                                 const std::optional<fork_notice>& fork = std::nullopt);

}  // namespace pingyi::verify
