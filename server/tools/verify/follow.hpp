// `pingyi-verify --follow --mirror DIR`: re-verifies the mirror, then stays on the session's
// /observe feed from the mirror's last record, verifying every record as it arrives, keeping it
// and its signed head in the mirror, reconnecting with back-off when the connection drops, until
// the session is adjourned, a record does not verify, or the server contradicts a head it signed.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "audit_report.hpp"
#include "chain_check.hpp"
#include "fetch.hpp"
#include "fork_evidence.hpp"

namespace pingyi::verify {

struct follow_options {
  server_url url;
  tls_settings tls;
  std::string session;  // 64 hex
  std::filesystem::path mirror_dir;
  unsigned threads = 0;
  language lang = language::zh;
  std::chrono::milliseconds first_backoff{500};
  std::chrono::milliseconds max_backoff{std::chrono::seconds(30)};
  fetch_limits limits;
  std::function<void(const std::string&)> log;  // one line of progress or warning (stderr)
};

struct follow_outcome {
  enum class kind {
    adjourned,  // every record verified, the last the adjournment: exit 0
    failed,     // a record (or the mirror) did not verify: exit 1, chain.failure or problem says why
    error,      // could not follow: no server, no such session, an unusable mirror: exit 2
    fork,       // the server contradicted a head it signed: exit 3, evidence in DIR/fork-evidence.json
  };
  kind what = kind::error;
  chain_result chain;              // what was verified (empty for most errors)
  std::vector<std::string> lines;  // its lines, for receipts
  std::optional<fork_evidence> fork;
  std::string problem;  // for error, and for a failure that is not a record's
};

[[nodiscard]] follow_outcome follow(const follow_options& options);

}  // namespace pingyi::verify
