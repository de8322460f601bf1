// A program run by an integration test as a child process: its stdout and stderr go to files the
// test reads while it runs (a server's "listening on" line) and after it exits (a report, an
// error). Every wait is bounded; a child still running when the test ends is SIGKILLed.
#pragma once

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

extern char** environ;

namespace pingyi::test {

inline std::string read_whole_file(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

class child_process {
 public:
  // Starts `binary args…` with stdout and stderr written to `out` and `err` (created afresh).
  child_process(const std::string& binary, const std::vector<std::string>& args, std::filesystem::path out,
                std::filesystem::path err)
      : out_(std::move(out)), err_(std::move(err)) {
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, out_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, err_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    std::vector<std::string> argv_strings{binary};
    argv_strings.insert(argv_strings.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : argv_strings) argv.push_back(a.data());
    argv.push_back(nullptr);
    const int rc = ::posix_spawn(&pid_, binary.c_str(), &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) throw std::runtime_error(std::string("posix_spawn ").append(binary).append(": ").append(std::strerror(rc)));
  }
  child_process(const child_process&) = delete;
  child_process& operator=(const child_process&) = delete;
  ~child_process() { kill(); }

  void signal(int signo) const {
    if (!status_) ::kill(pid_, signo);
  }

  void kill() {
    if (status_) return;
    ::kill(pid_, SIGKILL);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    status_ = status;
  }

  // The exit code once the child exits normally within `timeout`; nullopt if it is still running
  // (or was killed by a signal).
  std::optional<int> wait_exit(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!status_) {
      int status = 0;
      const pid_t r = ::waitpid(pid_, &status, WNOHANG);
      if (r == pid_) {
        status_ = status;
        break;
      }
      if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    if (!WIFEXITED(*status_)) return std::nullopt;
    return WEXITSTATUS(*status_);
  }

  [[nodiscard]] bool running() {
    if (status_) return false;
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) status_ = status;
    return !status_;
  }

  [[nodiscard]] std::string output() const { return read_whole_file(out_); }
  [[nodiscard]] std::string errors() const { return read_whole_file(err_); }

 private:
  pid_t pid_ = -1;
  std::optional<int> status_;
  std::filesystem::path out_;
  std::filesystem::path err_;
};

// Polls `done()` every 20 ms until it holds or `timeout` passes.
template <class Predicate>
bool eventually(Predicate done, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return true;
}

// The port of a pingyi-server child's "listening on http(s)://127.0.0.1:PORT" line, once it is
// printed; nullopt if the child exits or `timeout` passes first.
inline std::optional<std::uint16_t> listening_port(child_process& server, std::chrono::milliseconds timeout) {
  std::optional<std::uint16_t> port;
  eventually(
      [&] {
        const std::string out = server.output();
        for (const std::string_view prefix : {"listening on http://127.0.0.1:", "listening on https://127.0.0.1:"}) {
          const auto at = out.find(prefix);
          const auto end = at == std::string::npos ? at : out.find('\n', at);
          if (end != std::string::npos) {
            port = static_cast<std::uint16_t>(std::stoi(out.substr(at + prefix.size(), end - at - prefix.size())));
          }
        }
        return port.has_value() || !server.running();
      },
      timeout);
  return port;
}

// A loopback port nothing listens on: bound, then released (for "no server there" tests).
inline std::uint16_t unused_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
    if (fd >= 0) ::close(fd);
    throw std::runtime_error("no free port");
  }
  ::close(fd);
  return ntohs(a.sin_port);
}

}  // namespace pingyi::test
