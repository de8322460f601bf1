// pingyi-server backup and restore as an administrator runs them, against a real server on
// loopback: a backup taken in the middle of a round, while members go on voting, restores into a
// new data directory whose chain is byte for byte the live one's first records, verifies, and on
// which the round goes on to its result (the server's keys came back with it); a backup never
// overwrites a file, and a restore never lands on a directory that holds a store.
// clang-format off
#include <utility>  // first: Boost 1.74's Asio (test_client.hpp) needs it before its awaitable header
// clang-format on

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "../unit/store/temp_directory.hpp"
#include "chain_check.hpp"
#include "child_process.hpp"
#include "pingyi/core/error.hpp"
#include "pingyi/crypto/init.hpp"
#include "session_driver.hpp"

namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using pingyi::store::test::temp_directory;
using pingyi::test::child_process;
using pingyi::test::read_whole_file;
using pingyi::test::session_driver;

constexpr auto start_timeout = 30s;
constexpr auto command_timeout = 60s;

class BackupRestore : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(pingyi::crypto::init()); }

  fs::path live() const { return temp_.path() / "live"; }
  fs::path restored() const { return temp_.path() / "restored"; }
  fs::path backup_file() const { return temp_.path() / "mid-round.pingyi-backup"; }

  // pingyi-server on any port with `data_dir`; the driver pointed at it.
  std::unique_ptr<child_process> start_server(const fs::path& data_dir) {
    const auto n = std::to_string(++started_);
    auto server = std::make_unique<child_process>(
        PINGYI_SERVER_BINARY,
        std::vector<std::string>{"--listen", "127.0.0.1:0", "--data-dir", data_dir.string(), "--threads", "1",
                                 "--workers", "1", "--log-level", "warn"},
        temp_.path() / ("server" + n + ".out"), temp_.path() / ("server" + n + ".err"));
    const auto port = pingyi::test::listening_port(*server, start_timeout);
    if (!port) ADD_FAILURE() << "server did not start: " << server->output() << server->errors();
    port_ = port.value_or(0);
    if (!driver_) {
      std::string token = read_whole_file(data_dir / "admin-token");
      while (!token.empty() && token.back() == '\n') token.pop_back();
      driver_ = std::make_unique<session_driver>(port_, token);
    } else {
      driver_->reconnect(port_);
    }
    return server;
  }

  struct run_result {
    std::optional<int> exit;
    std::string out;
    std::string err;
  };
  // pingyi-server with a command's arguments (backup …, restore …), started now.
  std::unique_ptr<child_process> start_command(const std::vector<std::string>& args) {
    const auto n = std::to_string(++commands_);
    return std::make_unique<child_process>(PINGYI_SERVER_BINARY, args, temp_.path() / ("command" + n + ".out"),
                                           temp_.path() / ("command" + n + ".err"));
  }
  run_result run_command(const std::vector<std::string>& args) {
    auto c = start_command(args);
    const auto code = c->wait_exit(command_timeout);
    return {code, c->output(), c->errors()};
  }

  static unsigned mode_of(const fs::path& p) {
    struct stat st{};
    return ::stat(p.c_str(), &st) == 0 ? (st.st_mode & 0777) : 0;
  }

  static void expect_verifies(const std::vector<std::string>& lines) {
    const auto checked = pingyi::verify::check_chain(lines, 2);
    EXPECT_FALSE(checked.failure.has_value())
        << (checked.failure ? std::to_string(checked.failure->seq) + " " + checked.failure->type + ": " +
                                  pingyi::core::describe(checked.failure->error)
                            : std::string());
  }

  temp_directory temp_;
  std::unique_ptr<session_driver> driver_;
  std::uint16_t port_ = 0;
  int started_ = 0;
  int commands_ = 0;
};

TEST_F(BackupRestore, ABackupTakenMidRoundRestoresToAVerifyingChainOnWhichTheRoundGoesOn) {
  auto server = start_server(live());
  driver_->create(12);
  for (std::size_t i = 1; i <= 12; ++i) driver_->check_in(session_driver::member_id(i));
  driver_->chair("seal_key");
  driver_->chair("open_round", 1u);
  for (std::size_t i = 1; i <= 5; ++i) driver_->vote(session_driver::member_id(i), 1, i);
  const std::vector<std::string> before = driver_->chain_lines();

  // The backup runs while three more members vote.
  auto backup = start_command({"backup", "--data-dir", live().string(), "--to", backup_file().string()});
  for (std::size_t i = 6; i <= 8; ++i) driver_->vote(session_driver::member_id(i), 1, i);
  const auto backup_exit = backup->wait_exit(command_timeout);
  ASSERT_EQ(backup_exit, 0) << backup->output() << backup->errors();
  EXPECT_NE(backup->output().find("backup written: " + backup_file().string()), std::string::npos) << backup->output();
  EXPECT_NE(backup->output().find(driver_->session()), std::string::npos) << backup->output();
  EXPECT_EQ(mode_of(backup_file()), 0600u);
  const std::vector<std::string> live_lines = driver_->chain_lines();

  const auto restore = run_command({"restore", "--from", backup_file().string(), "--data-dir", restored().string()});
  ASSERT_EQ(restore.exit, 0) << restore.out << restore.err;
  EXPECT_NE(restore.out.find("every session replays"), std::string::npos) << restore.out;
  EXPECT_EQ(mode_of(restored()), 0700u);
  EXPECT_EQ(mode_of(restored() / "secrets"), 0600u);

  // A second server on the restored directory: its chain is the live one's first records, with
  // every record the live chain had when the backup began.
  auto copy = start_server(restored());
  const std::vector<std::string> restored_lines = driver_->chain_lines();
  ASSERT_GE(restored_lines.size(), before.size());
  ASSERT_LE(restored_lines.size(), live_lines.size());
  for (std::size_t i = 0; i < restored_lines.size(); ++i) ASSERT_EQ(restored_lines[i], live_lines[i]) << "seq " << i;
  expect_verifies(restored_lines);

  // The round goes on there: closed, decrypted with the restored keys, its result verifying.
  driver_->chair("close_round", 1u);
  driver_->wait_for_record("result", 1);
  driver_->chair("reveal", 1u);
  const std::vector<std::string> finished = driver_->chain_lines();
  expect_verifies(finished);
  EXPECT_GT(finished.size(), restored_lines.size());

  copy->signal(SIGTERM);
  EXPECT_EQ(copy->wait_exit(command_timeout), 0) << copy->errors();
  server->signal(SIGTERM);
  EXPECT_EQ(server->wait_exit(command_timeout), 0) << server->errors();
}

TEST_F(BackupRestore, NeverOverwritesAFileNorRestoresOverAStore) {
  auto server = start_server(live());
  driver_->create(3);

  ASSERT_EQ(run_command({"backup", "--data-dir", live().string(), "--to", backup_file().string()}).exit, 0);
  const std::string first = read_whole_file(backup_file());
  const auto again = run_command({"backup", "--data-dir", live().string(), "--to", backup_file().string()});
  EXPECT_EQ(again.exit, 1);
  EXPECT_NE(again.err.find("already exists"), std::string::npos) << again.err;
  EXPECT_EQ(read_whole_file(backup_file()), first);

  // Onto the live directory: refused, and the live server goes on serving its chain.
  const std::vector<std::string> lines = driver_->chain_lines();
  const auto over = run_command({"restore", "--from", backup_file().string(), "--data-dir", live().string()});
  EXPECT_EQ(over.exit, 1);
  EXPECT_NE(over.err.find("already exists"), std::string::npos) << over.err;
  EXPECT_EQ(driver_->chain_lines(), lines);

  // Not a backup: refused, nothing created.
  std::ofstream(temp_.path() / "notes.txt") << "minutes of the meeting\n";
  const auto bogus = run_command({"restore", "--from", (temp_.path() / "notes.txt").string(), "--data-dir",
                                  restored().string()});
  EXPECT_EQ(bogus.exit, 1);
  EXPECT_FALSE(fs::exists(restored() / "pingyi.db"));

  const auto usage = run_command({"backup", "--data-dir", live().string()});
  EXPECT_EQ(usage.exit, 2);
  EXPECT_NE((usage.out + usage.err).find("--to"), std::string::npos) << usage.out << usage.err;

  server->signal(SIGTERM);
  EXPECT_EQ(server->wait_exit(command_timeout), 0) << server->errors();
}

}  // namespace
