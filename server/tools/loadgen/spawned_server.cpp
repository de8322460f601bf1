// A pingyi-server child process (see spawned_server.hpp).
#include "spawned_server.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <thread>

namespace pingyi::loadgen {

namespace {

constexpr std::string_view listening_prefix = "listening on http://127.0.0.1:";

std::string read_file(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace

spawned_server::spawned_server(const std::string& binary, const std::vector<std::string>& extra,
                               std::chrono::seconds timeout) {
  char pattern[] = "/tmp/pingyi-loadgen-XXXXXX";
  if (::mkdtemp(pattern) == nullptr) throw std::runtime_error(std::string("mkdtemp: ") + std::strerror(errno));
  dir_ = pattern;
  const auto log = dir_ / "server.log";
  const auto token_file = dir_ / "admin-token";
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
  std::vector<std::string> args{
      binary,     "--data-dir", (dir_ / "data").string(), "--admin-token-file", token_file.string(),
      "--listen", "127.0.0.1:0"};
  args.insert(args.end(), extra.begin(), extra.end());
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  const int log_fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (log_fd < 0) throw std::runtime_error("cannot create " + log.string() + ": " + std::strerror(errno));
  const pid_t parent = ::getpid();
  // fork rather than posix_spawn, for PR_SET_PDEATHSIG: a tool killed mid-run (a test's timeout)
  // takes its server with it instead of leaving it listening. The tool has no threads yet.
  pid_ = ::fork();
  if (pid_ == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);
    ::dup2(fds[1], STDOUT_FILENO);
    ::dup2(log_fd, STDERR_FILENO);
    ::execv(binary.c_str(), argv.data());
    ::_exit(127);
  }
  const int fork_errno = errno;
  ::close(log_fd);
  ::close(fds[1]);
  out_ = fds[0];
  if (pid_ < 0) throw std::runtime_error("cannot start " + binary + ": " + std::strerror(fork_errno));

  // The port of the "listening on http://127.0.0.1:PORT" line.
  std::string output;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    const auto at = output.find(listening_prefix);
    const auto end = at == std::string::npos ? at : output.find('\n', at);
    if (end != std::string::npos) {
      port_ = static_cast<std::uint16_t>(std::stoi(output.substr(at + listening_prefix.size())));
      break;
    }
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count();
    pollfd p{out_, POLLIN, 0};
    const int r = left > 0 ? ::poll(&p, 1, static_cast<int>(left)) : 0;
    if (r < 0 && errno == EINTR) continue;
    char buf[4096];
    const ssize_t n = r > 0 ? ::read(out_, buf, sizeof buf) : 0;
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      stop();
      keep_ = true;
      throw std::runtime_error(binary + " did not start listening (its log: " + log.string() + ")\n" + read_file(log));
    }
    output.append(buf, static_cast<std::size_t>(n));
  }
  admin_token_ = read_file(token_file);
  while (!admin_token_.empty() && (admin_token_.back() == '\n' || admin_token_.back() == '\r')) admin_token_.pop_back();
  // The pipe stays open (a closed one would kill the server with SIGPIPE at its next line); it
  // prints a line or two at most.
}

spawned_server::~spawned_server() {
  stop();
  if (out_ >= 0) ::close(out_);
  if (!keep_ && !dir_.empty()) {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }
}

bool spawned_server::stop() {
  if (stopped_ || pid_ <= 0) return true;
  stopped_ = true;
  ::kill(pid_, SIGTERM);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  int status = 0;
  for (;;) {
    const pid_t r = ::waitpid(pid_, &status, WNOHANG);
    if (r == pid_) break;
    if (std::chrono::steady_clock::now() >= deadline) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, &status, 0);
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

}  // namespace pingyi::loadgen
