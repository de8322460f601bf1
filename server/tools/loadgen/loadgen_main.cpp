// pingyi-loadgen: plays a whole committee session against a pingyi-server — N tablets, K targets,
// the scrutineers, the chair — and reports how long each step took, how fast the ballots went
// through, what was refused, whether the result equals the grades cast, and what the server cost.
// Exit 0: every ballot acknowledged and counted as cast, no error; 1: the run finished but not
// so; 2: bad options, or the server could not be reached or refused a set-up step.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "client_network.hpp"
#include "load_report.hpp"
#include "pingyi/crypto/init.hpp"
#include "process_usage.hpp"
#include "session_player.hpp"
#include "spawned_server.hpp"

namespace {

namespace loadgen = pingyi::loadgen;

constexpr int exit_failed = 1;
constexpr int exit_usage = 2;

int usage_error(const std::string& message) {
  std::fprintf(stderr, "pingyi-loadgen: %s\n", message.c_str());
  return exit_usage;
}

std::optional<std::string> read_token_file(const std::string& file) {
  std::ifstream in(file);
  std::string token;
  if (!in || !std::getline(in, token)) return std::nullopt;
  while (!token.empty() && (token.back() == '\r' || token.back() == ' ')) token.pop_back();
  if (token.empty()) return std::nullopt;
  return token;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "pingyi-loadgen — plays a whole session against a pingyi-server and reports its latencies, "
      "throughput, errors and cost (docs/BENCHMARKS.md, section Load)",
      "pingyi-loadgen"};
  loadgen::play_options options;
  std::string host = "127.0.0.1";
  std::uint16_t port = 8080;
  std::string admin_token_file;
  std::string spawn;
  std::vector<std::string> server_args;
  bool keep_data = false;
  long server_pid = 0;
  std::string arrival = "uniform";
  long timeout_seconds = 300;
  std::string json_file;

  app.add_option("--host", host, "the server's IP address")->capture_default_str();
  app.add_option("--port", port, "the server's port")->capture_default_str();
  app.add_option("--admin-token-file", admin_token_file, "file holding the server's admin token (not with --spawn)");
  app.add_option("--spawn", spawn,
                 "start this pingyi-server binary on a fresh data directory and a free port, stop it at the end")
      ->check(CLI::ExistingFile);
  app.add_option("--server-arg", server_args,
                 "an argument passed on to the spawned server (repeat: --server-arg=--workers --server-arg=2)");
  app.add_flag("--keep-data", keep_data, "keep the spawned server's data directory (its path is printed)");
  app.add_option("--server-pid", server_pid, "the server's process id, for its peak RSS and CPU (not with --spawn)")
      ->check(CLI::PositiveNumber);
  app.add_option("--members,-n", options.members, "members, one tablet each (1–10000)")
      ->capture_default_str()
      ->check(CLI::Range(1, 10000));
  app.add_option("--voters", options.voters, "members who cast a ballot (default: all); the others stay connected")
      ->check(CLI::Range(1, 10000));
  app.add_option("--targets,-k", options.targets, "targets of the evaluation round, 3 grades each (1–100)")
      ->capture_default_str()
      ->check(CLI::Range(1, 100));
  app.add_option("--scrutineers", options.scrutineers,
                 "scrutineers (the first members), whose decryption shares the result needs")
      ->capture_default_str()
      ->check(CLI::Range(0, 100));
  app.add_option("--spread", options.spread_seconds, "casts start over this many seconds (0: all at once)")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 3600.0));
  app.add_option("--arrival", arrival, "uniform: each cast at a random time in [0, spread); even: evenly spaced")
      ->capture_default_str()
      ->check(CLI::IsMember({"uniform", "even"}));
  std::string tablets = "follow";
  app.add_option("--tablets", tablets,
                 "follow: every record pushed to every tablet, as the web client; lean: tablets get progress pushes "
                 "only (hello with `from` beyond the head), scrutineers still follow")
      ->capture_default_str()
      ->check(CLI::IsMember({"follow", "lean"}));
  app.add_option("--seed", options.seed, "seed of the grades and arrival times")->capture_default_str();
  app.add_option("--io-threads", options.io_threads, "threads running the tool's network")
      ->capture_default_str()
      ->check(CLI::Range(1, 64));
  app.add_option("--crypto-threads", options.crypto_threads, "threads building tokens and ballots before the burst")
      ->capture_default_str()
      ->check(CLI::Range(1, 64));
  app.add_option("--connect-window", options.connect_window, "check-ins in flight at once")
      ->capture_default_str()
      ->check(CLI::Range(1, 10000));
  app.add_option("--hold", options.hold_seconds, "seconds every tablet stays connected after the result")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 3600.0));
  app.add_option("--timeout", timeout_seconds, "seconds allowed for each phase")
      ->capture_default_str()
      ->check(CLI::Range(1, 86400));
  app.add_option("--json", json_file, "also write the report as JSON to this file (- for stdout, then no table)");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : exit_usage;
  }
  if (!spawn.empty() && (server_pid != 0 || !admin_token_file.empty())) {
    return usage_error("--spawn starts its own server: it takes no --server-pid or --admin-token-file");
  }
  if (spawn.empty() && admin_token_file.empty()) {
    return usage_error("give --admin-token-file (of a running server) or --spawn PATH_TO_pingyi-server");
  }
  if (options.voters > options.members) return usage_error("--voters cannot exceed --members");
  if (options.scrutineers > options.members) return usage_error("--scrutineers cannot exceed --members");
  options.arrival = arrival == "even" ? loadgen::arrival::even : loadgen::arrival::uniform;
  options.feed = tablets == "lean" ? loadgen::tablet_feed::lean : loadgen::tablet_feed::follow;
  options.step_timeout = std::chrono::seconds(timeout_seconds);
  if (!pingyi::crypto::init()) return usage_error("libsodium failed to initialise");
  options.open_files_limit = loadgen::raise_open_files_limit();
  // Each tablet is a socket, and so is each cast in flight.
  if (options.open_files_limit < 2 * options.members + 64) {
    std::fprintf(stderr,
                 "pingyi-loadgen: warning: the open-files limit is %llu; %zu tablets and their casts need about "
                 "%zu (raise the hard limit: ulimit -Hn)\n",
                 static_cast<unsigned long long>(options.open_files_limit), options.members, 2 * options.members + 64);
  }

  std::unique_ptr<loadgen::spawned_server> server;
  try {
    if (!spawn.empty()) {
      server = std::make_unique<loadgen::spawned_server>(spawn, server_args, std::chrono::seconds(60));
      if (keep_data) {
        server->keep_directory();
        std::fprintf(stderr, "pingyi-loadgen: the spawned server's data directory: %s\n", server->directory().c_str());
      }
      port = server->port();
      options.admin_token = server->admin_token();
      options.server_pid = server->pid();
    } else {
      const auto token = read_token_file(admin_token_file);
      if (!token) return usage_error("cannot read an admin token from " + admin_token_file);
      options.admin_token = *token;
      if (server_pid != 0) options.server_pid = static_cast<pid_t>(server_pid);
    }
  } catch (const std::exception& e) {
    return usage_error(e.what());
  }

  loadgen::load_report report;
  try {
    loadgen::client_network network(host, port, options.io_threads);
    report = loadgen::play_session(network, options);
  } catch (const loadgen::setup_failure& e) {
    return usage_error(e.what());
  } catch (const std::exception& e) {
    return usage_error(std::string("stopped by an exception: ") + e.what());
  }
  if (server && !server->stop()) std::fprintf(stderr, "pingyi-loadgen: the spawned server did not exit cleanly\n");

  const std::string json_text = loadgen::report_json(report).dump(2) + "\n";
  if (json_file == "-") {
    std::cout << json_text;
  } else {
    std::cout << loadgen::report_text(report);
    if (!json_file.empty()) {
      std::ofstream out(json_file, std::ios::binary | std::ios::trunc);
      out << json_text;
      if (!out) return usage_error("cannot write " + json_file);
    }
  }
  return report.passed() ? 0 : exit_failed;
}
