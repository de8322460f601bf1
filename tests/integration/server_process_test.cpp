// The real pingyi-server binary as an operator runs it: started as a child process on a free port
// with a fresh data directory and --demo, asked over real sockets, stopped with SIGTERM, started
// again on the same directory, and raced by a second server. Every wait is bounded.
// clang-format off
#include <utility>  // first: Boost 1.74's Asio (test_client.hpp) needs it before its awaitable header
// clang-format on

#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <sstream>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>
#include <vector>

#include "../unit/store/temp_directory.hpp"
#include "test_client.hpp"

extern char** environ;

namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;
using clock_type = std::chrono::steady_clock;
using namespace std::chrono_literals;

constexpr auto start_timeout = 30s;  // replay, key generation, the demo session's commit
constexpr auto exit_timeout = 10s;   // SIGTERM → exit, as the brief of pingyi-server promises

// 64 lower-case hex digits: a session id, the admin token.
bool is_hex64(const std::string& s) {
  return s.size() == 64 && s.find_first_not_of("0123456789abcdef") == std::string::npos;
}

using pingyi::store::test::temp_directory;

std::string read_file(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

unsigned permissions_of(const fs::path& file) {
  struct stat st {};
  if (::stat(file.c_str(), &st) != 0) return 07777;
  return static_cast<unsigned>(st.st_mode & 07777);
}

// One pingyi-server child: stdout a pipe read by the test, stderr a file (the log and any
// start-up error). Killed with SIGKILL if a test leaves it running.
class server_process {
 public:
  server_process(const std::vector<std::string>& args, fs::path stderr_file) : stderr_file_(std::move(stderr_file)) {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe");
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, stderr_file_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    std::vector<std::string> argv_strings{PINGYI_SERVER_BINARY};
    argv_strings.insert(argv_strings.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : argv_strings) argv.push_back(a.data());
    argv.push_back(nullptr);
    const int rc = ::posix_spawn(&pid_, PINGYI_SERVER_BINARY, &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    ::close(fds[1]);
    if (rc != 0) {
      ::close(fds[0]);
      throw std::runtime_error(std::string("posix_spawn: ") + std::strerror(rc));
    }
    out_ = fds[0];
  }
  server_process(const server_process&) = delete;
  server_process& operator=(const server_process&) = delete;
  ~server_process() {
    if (pid_ > 0 && !exit_status_) {
      ::kill(pid_, SIGKILL);
      int status = 0;
      ::waitpid(pid_, &status, 0);
    }
    if (out_ >= 0) ::close(out_);
  }

  // Reads stdout until `done(everything read so far)` holds, EOF or the deadline; returns done's
  // last verdict.
  template <class Predicate>
  bool read_until(Predicate done, clock_type::duration timeout = start_timeout) {
    const auto deadline = clock_type::now() + timeout;
    char buf[4096];
    while (!done(output_)) {
      if (eof_) return false;
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock_type::now()).count();
      if (left <= 0) return false;
      pollfd p{out_, POLLIN, 0};
      const int r = ::poll(&p, 1, static_cast<int>(left));
      if (r < 0 && errno == EINTR) continue;
      if (r <= 0) return false;
      const ssize_t n = ::read(out_, buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        eof_ = true;
        continue;
      }
      output_.append(buf, static_cast<std::size_t>(n));
    }
    return true;
  }

  // The port of the "listening on http://127.0.0.1:PORT" (or https://) line, once it is printed.
  std::optional<int> wait_listening(bool tls = false) {
    const std::string_view prefix = tls ? "listening on https://127.0.0.1:" : "listening on http://127.0.0.1:";
    std::optional<int> port;
    read_until([&](const std::string& out) {
      const auto at = out.find(prefix);
      if (at == std::string::npos) return false;
      const auto end = out.find('\n', at);
      if (end == std::string::npos) return false;
      const std::string digits = out.substr(at + prefix.size(), end - at - prefix.size());
      if (!digits.empty() && digits.size() <= 5 && digits.find_first_not_of("0123456789") == std::string::npos) {
        port = std::stoi(digits);
      }
      return true;
    });
    return port;
  }

  // Waits for the demo's URLs to be printed (the last line is the last member's tablet).
  bool wait_demo_printed() {
    return read_until([](const std::string& out) {
      const auto at = out.find("m15 ");
      return at != std::string::npos && out.find('\n', at) != std::string::npos;
    });
  }

  void signal(int signo) const { ::kill(pid_, signo); }

  // The exit code, when the process exits normally within `timeout`.
  std::optional<int> wait_exit(clock_type::duration timeout = exit_timeout) {
    const auto deadline = clock_type::now() + timeout;
    while (!exit_status_) {
      int status = 0;
      const pid_t r = ::waitpid(pid_, &status, WNOHANG);
      if (r == pid_) {
        exit_status_ = status;
        break;
      }
      if (clock_type::now() >= deadline) return std::nullopt;
      std::this_thread::sleep_for(20ms);
    }
    read_until([](const std::string&) { return false; }, 1s);  // what it printed last
    if (!WIFEXITED(*exit_status_)) return std::nullopt;
    return WEXITSTATUS(*exit_status_);
  }

  [[nodiscard]] const std::string& output() const noexcept { return output_; }
  [[nodiscard]] std::string errors() const { return read_file(stderr_file_); }

 private:
  pid_t pid_ = -1;
  int out_ = -1;
  bool eof_ = false;
  std::string output_;
  fs::path stderr_file_;
  std::optional<int> exit_status_;
};

struct http_answer {
  unsigned status = 0;
  std::string body;
};

// One GET over a new connection (test_client.hpp, Beast, bounded in time); nullopt when the
// connection fails or no whole response arrives.
std::optional<http_answer> http_get(int port, const std::string& target, const std::string& bearer = {}) {
  pingyi::test::header_list headers;
  if (!bearer.empty()) headers.emplace_back("Authorization", "Bearer " + bearer);
  try {
    auto r = pingyi::test::http_call(static_cast<std::uint16_t>(port), "GET", target, {}, headers, 10s);
    return http_answer{r.status, std::move(r.body)};
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

// A server with --demo on a fresh port and the given data directory.
std::vector<std::string> demo_args(const fs::path& data_dir, const std::string& listen = "127.0.0.1:0") {
  return {"--listen", listen,      "--data-dir", data_dir.string(), "--demo", "--threads",
          "2",        "--workers", "1",          "--log-level",     "info"};
}

std::string demo_session_of(const fs::path& data_dir) {
  const json demo = json::parse(read_file(data_dir / "demo.json"), nullptr, false);
  if (!demo.is_object() || !demo.contains("session") || !demo["session"].is_string()) return {};
  return demo["session"].get<std::string>();
}

class ServerProcess : public ::testing::Test {
 protected:
  fs::path data_dir() const { return temp_.path() / "data"; }
  fs::path log(const std::string& name) const { return temp_.path() / (name + ".stderr"); }

  temp_directory temp_;
};

TEST_F(ServerProcess, DemoStartServesHealthSessionListAndChainFromGenesis) {
  server_process server(demo_args(data_dir()), log("server"));
  const auto port = server.wait_listening();
  ASSERT_TRUE(port) << server.output() << server.errors();
  ASSERT_TRUE(server.wait_demo_printed()) << server.output() << server.errors();

  const auto health = http_get(*port, "/healthz");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200u);

  EXPECT_EQ(permissions_of(data_dir()), 0700u);
  EXPECT_EQ(permissions_of(data_dir() / "admin-token"), 0600u);
  EXPECT_EQ(permissions_of(data_dir() / "demo.json"), 0600u);
  EXPECT_EQ(permissions_of(data_dir() / "secrets"), 0600u);

  std::string token = read_file(data_dir() / "admin-token");
  ASSERT_FALSE(token.empty());
  if (token.back() == '\n') token.pop_back();
  EXPECT_TRUE(is_hex64(token)) << "the admin token is 32 bytes in hex";
  EXPECT_NE(server.output().find(token), std::string::npos) << "the new admin token is printed once";
  EXPECT_EQ(server.errors().find(token), std::string::npos) << "the admin token is never logged";

  const std::string session = demo_session_of(data_dir());
  ASSERT_TRUE(is_hex64(session)) << read_file(data_dir() / "demo.json");
  EXPECT_NE(server.output().find("#/chair?session=" + session), std::string::npos) << server.output();
  EXPECT_NE(server.output().find("#/projector?session=" + session), std::string::npos);
  EXPECT_NE(server.output().find("#/observer?session=" + session), std::string::npos);
  EXPECT_NE(server.output().find("#/secretariat"), std::string::npos);
  EXPECT_NE(server.output().find("#/tablet?session=" + session + "&member=m01&code="), std::string::npos);

  const auto sessions = http_get(*port, "/api/sessions", token);
  ASSERT_TRUE(sessions);
  EXPECT_EQ(sessions->status, 200u) << sessions->body;
  EXPECT_NE(sessions->body.find(session), std::string::npos) << sessions->body;

  const auto chain = http_get(*port, "/api/sessions/" + session + "/chain");
  ASSERT_TRUE(chain);
  ASSERT_EQ(chain->status, 200u) << chain->body;
  const std::string first_line = chain->body.substr(0, chain->body.find('\n'));
  const json genesis = json::parse(first_line, nullptr, false);
  ASSERT_TRUE(genesis.is_object()) << first_line;
  EXPECT_EQ(genesis.value("seq", -1), 0);
  EXPECT_EQ(genesis.value("type", ""), "genesis");
  EXPECT_EQ(genesis.value("title", ""), "某县人大常委会2026年第十一次会议 述职评议");
  EXPECT_EQ(genesis["members"].size(), 15u);

  server.signal(SIGTERM);
  EXPECT_EQ(server.wait_exit(), 0) << server.errors();
}

// Waits until the log holds `text` (bounded).
bool log_shows(const server_process& server, std::string_view text) {
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (server.errors().find(text) == std::string::npos) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(20ms);
  }
  return true;
}

// A renewed certificate is taken up on SIGHUP without a restart; a renewal that cannot be loaded
// is logged and the server goes on with the certificate it had. A hangup never stops a server.
TEST_F(ServerProcess, SighupReloadsTheTlsCertificateAndABadOneLeavesTheOldInPlace) {
  const fs::path cert = temp_.path() / "cert.pem";
  const fs::path key = temp_.path() / "key.pem";
  const auto make_certificate = [&] {
    const auto command = std::string("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes")
                             .append(" -keyout ")
                             .append(key.string())
                             .append(" -out ")
                             .append(cert.string())
                             .append(" -days 1 -subj /CN=127.0.0.1 >/dev/null 2>&1");
    return std::system(command.c_str()) == 0;
  };
  ASSERT_TRUE(make_certificate());
  server_process server({"--listen", "127.0.0.1:0", "--data-dir", data_dir().string(), "--tls-cert", cert.string(),
                         "--tls-key", key.string(), "--log-level", "info"},
                        log("server"));
  const auto port = server.wait_listening(true);
  ASSERT_TRUE(port) << server.output() << server.errors();
  const auto healthy = [&] {
    return pingyi::test::https_call(static_cast<std::uint16_t>(*port), "GET", "/healthz", {}, {}, 10s).status == 200u;
  };
  ASSERT_TRUE(healthy());

  ASSERT_TRUE(make_certificate());
  server.signal(SIGHUP);
  ASSERT_TRUE(log_shows(server, "SIGHUP: TLS certificate and key reloaded")) << server.errors();
  EXPECT_TRUE(healthy());

  std::ofstream(key, std::ios::trunc) << "not a key\n";
  server.signal(SIGHUP);
  ASSERT_TRUE(log_shows(server, "SIGHUP: TLS not reloaded, still serving the previous certificate")) << server.errors();
  EXPECT_NE(server.errors().find(key.string()), std::string::npos) << server.errors();
  EXPECT_TRUE(healthy());

  server.signal(SIGTERM);
  EXPECT_EQ(server.wait_exit(), 0) << server.errors();
}

TEST_F(ServerProcess, SighupWithoutTlsIsLoggedAndTheServerGoesOn) {
  server_process server({"--listen", "127.0.0.1:0", "--data-dir", data_dir().string(), "--log-level", "info"},
                        log("server"));
  const auto port = server.wait_listening();
  ASSERT_TRUE(port) << server.output() << server.errors();
  server.signal(SIGHUP);
  ASSERT_TRUE(log_shows(server, "SIGHUP: TLS not reloaded")) << server.errors();
  const auto health = http_get(*port, "/healthz");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200u);
  server.signal(SIGTERM);
  EXPECT_EQ(server.wait_exit(), 0) << server.errors();
}

// --log-format json: every line of the log is one JSON object {time, level, msg}, for a collector.
TEST_F(ServerProcess, JsonLogFormatWritesOneObjectPerLine) {
  server_process server({"--listen", "127.0.0.1:0", "--data-dir", data_dir().string(), "--log-level", "debug",
                         "--log-format", "json"},
                        log("server"));
  const auto port = server.wait_listening();
  ASSERT_TRUE(port) << server.output() << server.errors();
  ASSERT_TRUE(http_get(*port, "/healthz"));
  server.signal(SIGTERM);
  EXPECT_EQ(server.wait_exit(), 0) << server.errors();

  std::istringstream lines(server.errors());
  std::size_t objects = 0;
  bool listening = false;
  for (std::string line; std::getline(lines, line);) {
    const json entry = json::parse(line, nullptr, false);
    ASSERT_TRUE(entry.is_object()) << line;
    ASSERT_TRUE(entry.contains("time") && entry["time"].is_string()) << line;
    EXPECT_EQ(entry["time"].get<std::string>().size(), 24u) << line;  // 2026-11-23T09:00:07.512Z
    EXPECT_EQ(entry["time"].get<std::string>().back(), 'Z') << line;
    ASSERT_TRUE(entry.contains("level") && entry["level"].is_string()) << line;
    ASSERT_TRUE(entry.contains("msg") && entry["msg"].is_string()) << line;
    listening = listening || entry["msg"].get<std::string>().starts_with("pingyi-server listening on http://127.0.0.1:");
    ++objects;
  }
  EXPECT_GE(objects, 3u);  // listening, a request at debug, shutting down, stopped
  EXPECT_TRUE(listening) << server.errors();
}

TEST_F(ServerProcess, ExitsZeroWithinTenSecondsOfSigterm) {
  server_process server(demo_args(data_dir()), log("server"));
  ASSERT_TRUE(server.wait_listening()) << server.errors();
  ASSERT_TRUE(server.wait_demo_printed()) << server.output() << server.errors();
  const auto sent = clock_type::now();
  server.signal(SIGTERM);
  const auto exit_code = server.wait_exit(exit_timeout);
  ASSERT_TRUE(exit_code) << "still running 10 s after SIGTERM\n" << server.errors();
  EXPECT_EQ(*exit_code, 0) << server.errors();
  EXPECT_LT(clock_type::now() - sent, exit_timeout);
  EXPECT_NE(server.errors().find("shutting down"), std::string::npos) << server.errors();
}

TEST_F(ServerProcess, RestartReusesTheDemoSessionAndPrintsNoNewAdminToken) {
  std::string session;
  {
    server_process first(demo_args(data_dir()), log("first"));
    ASSERT_TRUE(first.wait_listening()) << first.errors();
    ASSERT_TRUE(first.wait_demo_printed()) << first.output() << first.errors();
    EXPECT_NE(first.output().find("admin token"), std::string::npos) << first.output();
    session = demo_session_of(data_dir());
    ASSERT_FALSE(session.empty());
    first.signal(SIGTERM);
    ASSERT_EQ(first.wait_exit(), 0) << first.errors();
  }
  std::string token = read_file(data_dir() / "admin-token");

  server_process second(demo_args(data_dir()), log("second"));
  const auto port = second.wait_listening();
  ASSERT_TRUE(port) << second.errors();
  ASSERT_TRUE(second.wait_demo_printed()) << second.output() << second.errors();
  EXPECT_EQ(demo_session_of(data_dir()), session);
  EXPECT_NE(second.output().find("#/chair?session=" + session), std::string::npos) << second.output();
  EXPECT_EQ(second.output().find("admin token ("), std::string::npos) << second.output();
  if (!token.empty() && token.back() == '\n') token.pop_back();
  EXPECT_EQ(second.output().find(token), std::string::npos) << "the admin token is shown only when created";
  EXPECT_EQ(read_file(data_dir() / "admin-token"), token + "\n") << "the admin token is kept";

  // The replayed session answers as before.
  const auto chain = http_get(*port, "/api/sessions/" + session + "/chain");
  ASSERT_TRUE(chain);
  EXPECT_EQ(chain->status, 200u);
  second.signal(SIGTERM);
  EXPECT_EQ(second.wait_exit(), 0) << second.errors();
}

TEST_F(ServerProcess, SecondServerOnTheSameDataDirFailsWithAClearMessage) {
  server_process first(demo_args(data_dir()), log("first"));
  ASSERT_TRUE(first.wait_listening()) << first.errors();
  ASSERT_TRUE(first.wait_demo_printed()) << first.output() << first.errors();

  server_process second(demo_args(data_dir()), log("second"));
  EXPECT_EQ(second.wait_exit(), 1) << second.output() << second.errors();
  EXPECT_NE(second.errors().find("another pingyi-server has " + (data_dir() / "pingyi.db").string() + " open"),
            std::string::npos)
      << second.errors();

  // The first is unharmed.
  const auto port = first.wait_listening();
  ASSERT_TRUE(port);
  const auto health = http_get(*port, "/healthz");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200u);
  first.signal(SIGTERM);
  EXPECT_EQ(first.wait_exit(), 0) << first.errors();
}

TEST_F(ServerProcess, PortInUseFailsWithAClearMessage) {
  server_process first(demo_args(data_dir()), log("first"));
  const auto port = first.wait_listening();
  ASSERT_TRUE(port) << first.errors();

  server_process second(demo_args(temp_.path() / "other", "127.0.0.1:" + std::to_string(*port)), log("second"));
  EXPECT_EQ(second.wait_exit(), 1) << second.output() << second.errors();
  EXPECT_NE(second.errors().find("cannot listen on 127.0.0.1:" + std::to_string(*port)), std::string::npos)
      << second.errors();
  first.signal(SIGTERM);
  EXPECT_EQ(first.wait_exit(), 0) << first.errors();
}

TEST_F(ServerProcess, DemoFreshReplacesTheDemoSessionAndKeepsTheAdminToken) {
  std::string session;
  {
    server_process first(demo_args(data_dir()), log("first"));
    ASSERT_TRUE(first.wait_listening()) << first.errors();
    ASSERT_TRUE(first.wait_demo_printed()) << first.output() << first.errors();
    session = demo_session_of(data_dir());
    first.signal(SIGTERM);
    ASSERT_EQ(first.wait_exit(), 0) << first.errors();
  }
  const std::string token = read_file(data_dir() / "admin-token");

  auto args = demo_args(data_dir());
  args.push_back("--demo-fresh");
  server_process fresh(args, log("fresh"));
  ASSERT_TRUE(fresh.wait_listening()) << fresh.errors();
  ASSERT_TRUE(fresh.wait_demo_printed()) << fresh.output() << fresh.errors();
  EXPECT_NE(fresh.output().find("--demo-fresh: deleting"), std::string::npos) << fresh.output();
  const std::string fresh_session = demo_session_of(data_dir());
  EXPECT_FALSE(fresh_session.empty());
  EXPECT_NE(fresh_session, session);
  EXPECT_EQ(read_file(data_dir() / "admin-token"), token);
  fresh.signal(SIGTERM);
  EXPECT_EQ(fresh.wait_exit(), 0) << fresh.errors();
}

}  // namespace
