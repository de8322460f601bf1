// The mirror directory on disk. Durability: an append returns only after fsync of its file, and
// the follower appends a batch's heads before the batch's lines, so that a crash can leave a head
// without its line (harmless: the line comes again) but never a line without its head. A crash
// mid-append leaves a last line without its newline; open() cuts it off, since the follower
// resumes from the last complete line and receives that record again.
#include "mirror.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>
#include <system_error>
#include <utility>

#include "chain_check.hpp"
#include "pingyi/crypto/bytes.hpp"

namespace pingyi::verify {
namespace {

namespace fs = std::filesystem;
struct io_failure {
  std::string message;
};
using text_result = crypto::basic_result<std::string, io_failure>;

std::string errno_text() { return std::strerror(errno); }

text_result read_all(int fd, const fs::path& file) {
  std::string out;
  char buf[1 << 16];
  off_t at = 0;
  for (;;) {
    const ssize_t n = ::pread(fd, buf, sizeof buf, at);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return io_failure{"cannot read " + file.string() + ": " + errno_text()};
    if (n == 0) return out;
    out.append(buf, static_cast<std::size_t>(n));
    at += n;
  }
}

std::optional<std::string> write_all(int fd, const std::string& bytes, const fs::path& file) {
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return "cannot write " + file.string() + ": " + errno_text();
    done += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0) return "cannot write " + file.string() + " to disk (fsync): " + errno_text();
  return std::nullopt;
}

std::optional<std::string> sync_dir(const fs::path& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return "cannot open " + dir.string() + ": " + errno_text();
  const int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) return "cannot write " + dir.string() + " to disk (fsync): " + errno_text();
  return std::nullopt;
}

// Reads a .jsonl file of the mirror, cutting off a last line that has no newline. Lines are
// returned without their newlines.
crypto::basic_result<std::vector<std::string>, std::string> read_lines(int fd, const fs::path& file,
                                                                       std::vector<std::string>& notices) {
  auto text = read_all(fd, file);
  if (!text) return text.error().message;
  std::string& content = *text;
  if (!content.empty() && content.back() != '\n') {
    const auto last = content.rfind('\n');
    const std::size_t keep = last == std::string::npos ? 0 : last + 1;
    if (::ftruncate(fd, static_cast<off_t>(keep)) != 0 || ::fsync(fd) != 0) {
      return "cannot cut the incomplete last line off " + file.string() + ": " + errno_text();
    }
    notices.push_back(file.string() + ": dropped an incomplete last line (" + std::to_string(content.size() - keep) +
                      " bytes) that a crash cut short");
    content.resize(keep);
  }
  auto lines = split_lines(content);
  if (!lines) return file.string() + ": " + core::describe(lines.error());
  return std::move(lines).value();
}

}  // namespace

std::string head_line(const crypto::signed_head& head) {
  nlohmann::ordered_json j;
  j["seq"] = head.seq;
  j["hash"] = crypto::to_hex(head.hash);
  j["sig"] = head.sig.hex();
  return j.dump();
}

std::optional<crypto::signed_head> parse_signed_head(std::string_view text) {
  const auto j = nlohmann::json::parse(text, nullptr, false);
  if (!j.is_object() || !j.contains("seq") || !j["seq"].is_number_unsigned() || !j.contains("hash") ||
      !j["hash"].is_string() || !j.contains("sig") || !j["sig"].is_string()) {
    return std::nullopt;
  }
  for (const auto& [key, value] : j.items()) {
    if (key != "seq" && key != "hash" && key != "sig" && key != "ok") return std::nullopt;
  }
  auto hash = crypto::from_hex_fixed<32>(j["hash"].get<std::string>());
  auto sig = crypto::signature::from_hex(j["sig"].get<std::string>());
  if (!hash || !sig) return std::nullopt;
  return crypto::signed_head{j["seq"].get<std::uint64_t>(), *hash, *sig};
}

crypto::basic_result<mirror, std::string> mirror::open(const fs::path& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return "cannot create the mirror directory " + dir.string() + ": " + ec.message();
  mirror m;
  m.dir_ = dir;
  const auto chain_file = dir / "chain.jsonl";
  const auto heads_file = dir / "heads.jsonl";
  m.chain_fd_ = ::open(chain_file.c_str(), O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (m.chain_fd_ < 0) return "cannot open " + chain_file.string() + ": " + errno_text();
  if (::flock(m.chain_fd_, LOCK_EX | LOCK_NB) != 0) {
    if (errno == EWOULDBLOCK) return "another pingyi-verify is following into " + dir.string();
    return "cannot lock " + chain_file.string() + ": " + errno_text();
  }
  m.heads_fd_ = ::open(heads_file.c_str(), O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (m.heads_fd_ < 0) return "cannot open " + heads_file.string() + ": " + errno_text();
  if (auto e = sync_dir(dir)) return *e;  // the files just created are there after a crash

  auto lines = read_lines(m.chain_fd_, chain_file, m.notices_);
  if (!lines) return lines.error();
  m.lines_ = std::move(lines).value();
  auto heads = read_lines(m.heads_fd_, heads_file, m.notices_);
  if (!heads) return heads.error();
  for (std::size_t i = 0; i < heads->size(); ++i) {
    auto h = parse_signed_head((*heads)[i]);
    if (!h) return heads_file.string() + ": line " + std::to_string(i + 1) + " is not a signed head {seq, hash, sig}";
    m.heads_.push_back(*h);
  }
  return m;
}

mirror::mirror(mirror&& other) noexcept
    : dir_(std::move(other.dir_)),
      chain_fd_(std::exchange(other.chain_fd_, -1)),
      heads_fd_(std::exchange(other.heads_fd_, -1)),
      lines_(std::move(other.lines_)),
      heads_(std::move(other.heads_)),
      notices_(std::move(other.notices_)) {}

mirror::~mirror() {
  if (heads_fd_ >= 0) ::close(heads_fd_);
  if (chain_fd_ >= 0) ::close(chain_fd_);  // releases the lock
}

std::optional<std::string> mirror::append_heads(std::span<const crypto::signed_head> heads) {
  if (heads.empty()) return std::nullopt;
  std::string bytes;
  for (const auto& h : heads) bytes.append(head_line(h)).push_back('\n');
  return write_all(heads_fd_, bytes, dir_ / "heads.jsonl");
}

std::optional<std::string> mirror::append_lines(std::span<const std::string> lines) {
  if (lines.empty()) return std::nullopt;
  std::string bytes;
  for (const auto& l : lines) bytes.append(l).push_back('\n');
  return write_all(chain_fd_, bytes, dir_ / "chain.jsonl");
}

bool mirror::has_evidence() const {
  std::error_code ec;
  return fs::exists(evidence_path(), ec);
}

std::optional<std::string> mirror::write_evidence(const std::string& text) {
  const auto target = evidence_path();
  auto temporary = target;
  temporary += ".tmp";
  const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return "cannot create " + temporary.string() + ": " + errno_text();
  auto error = write_all(fd, text, temporary);
  ::close(fd);
  if (error) return error;
  if (::rename(temporary.c_str(), target.c_str()) != 0) return "cannot create " + target.string() + ": " + errno_text();
  return sync_dir(dir_);
}

}  // namespace pingyi::verify
