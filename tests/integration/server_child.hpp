// The real pingyi-server binary as a child of a test: started on a data directory and a listen
// address (port 0, or the port of an earlier run to restart "in place"), its port read from the
// "listening on" line it prints, SIGKILLed in the destructor if still running. Its stderr is
// appended to one file across restarts, so that a failing test can show every run's log.
#pragma once

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "child_process.hpp"

extern char** environ;

namespace pingyi::test {

class server_child {
 public:
  // `listen` is "127.0.0.1:0" for any free port, or "127.0.0.1:<port>" to take a given one.
  server_child(const std::filesystem::path& data_dir, const std::filesystem::path& stderr_file,
               std::string listen = "127.0.0.1:0", const std::vector<std::string>& extra_args = {})
      : stderr_file_(stderr_file) {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe");
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, stderr_file_.c_str(), O_WRONLY | O_CREAT | O_APPEND,
                                     0600);
    std::vector<std::string> args{
        PINGYI_SERVER_BINARY, "--listen", std::move(listen), "--data-dir", data_dir.string(), "--threads", "2",
        "--workers",          "2",        "--log-level",     "warn"};
    args.insert(args.end(), extra_args.begin(), extra_args.end());
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    const int rc = ::posix_spawn(&pid_, PINGYI_SERVER_BINARY, &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    ::close(fds[1]);
    if (rc != 0) {
      ::close(fds[0]);
      throw std::runtime_error(std::string("posix_spawn: ").append(std::strerror(rc)));
    }
    out_ = fds[0];
  }
  server_child(const server_child&) = delete;
  server_child& operator=(const server_child&) = delete;
  ~server_child() {
    kill();
    if (out_ >= 0) ::close(out_);
  }

  [[nodiscard]] pid_t pid() const noexcept { return pid_; }

  // kill -9 and reap: nothing of the server's shutdown path runs.
  void kill() {
    if (pid_ > 0 && !status_) {
      ::kill(pid_, SIGKILL);
      int status = 0;
      ::waitpid(pid_, &status, 0);
      status_ = status;
    }
  }

  void signal(int signo) const {
    if (pid_ > 0 && !status_) ::kill(pid_, signo);
  }

  [[nodiscard]] bool running() {
    if (status_) return false;
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) status_ = status;
    return !status_;
  }

  // The exit code once the server exits normally within `timeout`; nullopt if it is still
  // running, or died of a signal.
  std::optional<int> wait_exit(std::chrono::milliseconds timeout) {
    if (!eventually([&] { return !running(); }, timeout)) return std::nullopt;
    if (!WIFEXITED(*status_)) return std::nullopt;
    return WEXITSTATUS(*status_);
  }

  // The port of the "listening on http://127.0.0.1:PORT" line; nullopt when the server exited
  // or printed nothing of the kind in time.
  std::optional<std::uint16_t> wait_listening(std::chrono::milliseconds timeout = std::chrono::seconds(60)) {
    static constexpr std::string_view prefix = "listening on http://127.0.0.1:";
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    char buf[4096];
    for (;;) {
      const auto at = output_.find(prefix);
      if (at != std::string::npos) {
        const auto end = output_.find('\n', at);
        if (end != std::string::npos) {
          const std::string digits = output_.substr(at + prefix.size(), end - at - prefix.size());
          if (digits.empty() || digits.size() > 5 || digits.find_first_not_of("0123456789") != std::string::npos)
            return std::nullopt;
          return static_cast<std::uint16_t>(std::stoi(digits));
        }
      }
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count();
      if (left <= 0) return std::nullopt;
      pollfd p{out_, POLLIN, 0};
      const int r = ::poll(&p, 1, static_cast<int>(left));
      if (r < 0 && errno == EINTR) continue;
      if (r <= 0) return std::nullopt;
      const ssize_t n = ::read(out_, buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return std::nullopt;  // the server closed its stdout: it exited
      output_.append(buf, static_cast<std::size_t>(n));
    }
  }

  // What the server printed on stdout so far (read by wait_listening).
  [[nodiscard]] const std::string& output() const noexcept { return output_; }
  // Everything every run wrote to the shared stderr file.
  [[nodiscard]] std::string errors() const { return read_whole_file(stderr_file_); }

 private:
  pid_t pid_ = -1;
  int out_ = -1;
  std::optional<int> status_;
  std::string output_;
  std::filesystem::path stderr_file_;
};

// The admin token the server created in its data directory, without the final newline.
inline std::string read_admin_token(const std::filesystem::path& data_dir) {
  std::string token = read_whole_file(data_dir / "admin-token");
  while (!token.empty() && (token.back() == '\n' || token.back() == '\r')) token.pop_back();
  return token;
}

}  // namespace pingyi::test
