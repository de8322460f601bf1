// The local copy `pingyi-verify --follow --mirror DIR` keeps of a session: DIR/chain.jsonl, the
// verified records, one line each, exactly as served and hashed; DIR/heads.jsonl, every signed
// head the server gave ({"seq","hash","sig"} a line); and DIR/fork-evidence.json once the server
// has been caught contradicting itself. Both .jsonl files are only ever appended to, and each
// append is on disk (fsync) before the next step: a head is written before the line it signs, so
// every line of chain.jsonl has its signed head in heads.jsonl.
#pragma once

#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "pingyi/crypto/chain.hpp"
#include "pingyi/crypto/result.hpp"

namespace pingyi::verify {

class mirror {
 public:
  // Opens DIR (creating it) and locks it against a second follower, then reads both files. A
  // last line without its newline (a crash mid-append) is cut off the file and reported in
  // notices(); any other malformed line of heads.jsonl is an error naming it.
  [[nodiscard]] static crypto::basic_result<mirror, std::string> open(const std::filesystem::path& dir);

  mirror(mirror&& other) noexcept;
  mirror& operator=(mirror&&) = delete;
  mirror(const mirror&) = delete;
  mirror& operator=(const mirror&) = delete;
  ~mirror();

  // The lines of chain.jsonl and the heads of heads.jsonl as they were when opened.
  [[nodiscard]] const std::vector<std::string>& lines() const noexcept { return lines_; }
  [[nodiscard]] const std::vector<crypto::signed_head>& heads() const noexcept { return heads_; }
  [[nodiscard]] const std::vector<std::string>& notices() const noexcept { return notices_; }

  // Appends and fsyncs; an error (disk full, …) names the file.
  [[nodiscard]] std::optional<std::string> append_heads(std::span<const crypto::signed_head> heads);
  [[nodiscard]] std::optional<std::string> append_lines(std::span<const std::string> lines);

  // DIR/fork-evidence.json, written whole or not at all (a temporary file, fsync, rename).
  [[nodiscard]] std::filesystem::path evidence_path() const { return dir_ / "fork-evidence.json"; }
  [[nodiscard]] bool has_evidence() const;
  [[nodiscard]] std::optional<std::string> write_evidence(const std::string& text);

  [[nodiscard]] const std::filesystem::path& dir() const noexcept { return dir_; }

 private:
  mirror() = default;

  std::filesystem::path dir_;
  int chain_fd_ = -1;  // holds the lock (flock) for as long as the mirror is open
  int heads_fd_ = -1;
  std::vector<std::string> lines_;
  std::vector<crypto::signed_head> heads_;
  std::vector<std::string> notices_;
};

// One line of heads.jsonl: {"seq":n,"hash":"<hex>","sig":"<hex>"}.
[[nodiscard]] std::string head_line(const crypto::signed_head& head);
// A signed head as heads.jsonl, GET /api/sessions/ID/head (with its "ok") and --head files give it.
[[nodiscard]] std::optional<crypto::signed_head> parse_signed_head(std::string_view text);

}  // namespace pingyi::verify
