// A child process for the crash tests: started with a database path, its stdout read as lines
// ("ready", then one report per durable write) until a deadline, then killed with SIGKILL by the
// test. The reports are whatever the child writes; each test parses its own.
#pragma once

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <filesystem>
#include <functional>
#include <stdexcept>
#include <string>

namespace pingyi::test {

struct crash_child {
  using clock_type = std::chrono::steady_clock;

  pid_t pid = -1;
  int out = -1;  // the read end of the child's stdout
  std::string pending;
  bool ready = false;
  bool eof = false;

  // fork + exec `program db`, its stdout a pipe to us.
  static crash_child start(const char* program, const std::filesystem::path& db) {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe");
    const pid_t pid = ::fork();
    if (pid < 0) throw std::runtime_error("fork");
    if (pid == 0) {
      ::dup2(fds[1], STDOUT_FILENO);  // dup2 clears O_CLOEXEC on the copy
      const std::string path = db.string();
      char* const argv[] = {const_cast<char*>(program), const_cast<char*>(path.c_str()), nullptr};
      ::execv(program, argv);
      std::_Exit(127);
    }
    ::close(fds[1]);
    crash_child c;
    c.pid = pid;
    c.out = fds[0];
    return c;
  }

  // Hands every complete line but "ready" to on_report until `deadline`, EOF, or (with
  // until_ready) the child's "ready".
  void read(clock_type::time_point deadline, const std::function<void(const std::string&)>& on_report,
            bool until_ready = false) {
    char buf[4096];
    while (!eof && !(until_ready && ready)) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock_type::now()).count();
      if (left <= 0) return;
      pollfd p{out, POLLIN, 0};
      const int r = ::poll(&p, 1, static_cast<int>(left));
      if (r < 0 && errno == EINTR) continue;
      if (r <= 0) return;
      const ssize_t n = ::read(out, buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        eof = true;
        break;
      }
      pending.append(buf, static_cast<std::size_t>(n));
      std::size_t nl;
      while ((nl = pending.find('\n')) != std::string::npos) {
        const std::string line = pending.substr(0, nl);
        pending.erase(0, nl + 1);
        if (line == "ready") {
          ready = true;
        } else {
          on_report(line);
        }
      }
    }
  }
};

}  // namespace pingyi::test
