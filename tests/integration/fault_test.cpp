// The real pingyi-server on a data directory that fails under it: a disk that fills up while a
// round is open, a data directory that is read-only when the server starts, and one that cannot
// take new files while the server runs. The data directory is a small tmpfs mounted for the test
// (mount(2) as root; the test is skipped, saying why, where mounting is not allowed), so that
// "full" and "read-only" are the kernel's own ENOSPC and EROFS, not a simulation.
//
// What must hold (docs/STORE.md, fail-stop): a write that could not be made durable is never
// acknowledged; after the first failed commit the server refuses every write with INTERNAL and
// keeps serving what is durable; a restart once space is back replays what is on disk and the
// session goes on, every receipted ballot on the chain, a ballot sent again by a client that got
// no receipt counted once.
// clang-format off
#include <utility>  // first: Boost 1.74's Asio (test_client.hpp) needs it before its awaitable header
// clang-format on

#include <fcntl.h>
#include <gtest/gtest.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "../unit/store/temp_directory.hpp"
#include "chain_check.hpp"
#include "live_committee.hpp"
#include "pingyi/crypto/init.hpp"
#include "server_child.hpp"

namespace {

namespace crypto = pingyi::crypto;
namespace fs = std::filesystem;
using json = nlohmann::ordered_json;
using pingyi::test::error_code_of;
using pingyi::test::live_committee;
using pingyi::test::server_child;
using namespace std::chrono_literals;

class Faults : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(crypto::init());
    mount_point_ = temp_.path() / "mnt";
    fs::create_directory(mount_point_);
    if (::mount("tmpfs", mount_point_.c_str(), "tmpfs", 0, "size=16m,mode=0700") != 0) {
      GTEST_SKIP() << "cannot mount a tmpfs (" << std::strerror(errno)
                   << "): the disk-full and read-only tests need mount(2), i.e. root or CAP_SYS_ADMIN";
    }
    mounted_ = true;
    data_ = mount_point_ / "data";
  }

  void TearDown() override {
    server_.reset();  // SIGKILL before the mount goes
    if (mounted_) {
      set_immutable(mount_point_, false);
      if (::umount2(mount_point_.c_str(), MNT_DETACH) != 0) ADD_FAILURE() << "umount: " << std::strerror(errno);
    }
  }

  void start() {
    server_.reset();
    const std::string listen = port_ == 0 ? "127.0.0.1:0" : "127.0.0.1:" + std::to_string(port_);
    server_ = std::make_unique<server_child>(data_, temp_.path() / "server.stderr", listen);
    const auto port = server_->wait_listening();
    ASSERT_TRUE(port.has_value()) << "the server did not start:\n" << server_->errors();
    port_ = *port;
  }

  bool remount(unsigned long flags) {
    return ::mount(nullptr, mount_point_.c_str(), nullptr, MS_REMOUNT | flags, "size=16m,mode=0700") == 0;
  }

  // chattr +i / -i: nothing can be created, renamed or deleted in an immutable directory, even by
  // root, while files already open stay writable.
  static bool set_immutable(const fs::path& dir, bool on) {
    const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return false;
    int flags = 0;
    bool ok = ::ioctl(fd, FS_IOC_GETFLAGS, &flags) == 0;
    if (ok) {
      flags = on ? (flags | FS_IMMUTABLE_FL) : (flags & ~FS_IMMUTABLE_FL);
      ok = ::ioctl(fd, FS_IOC_SETFLAGS, &flags) == 0;
    }
    ::close(fd);
    return ok;
  }

  // Writes a file until the filesystem is full; returns the bytes written.
  std::size_t fill_the_disk() {
    const auto filler = mount_point_ / "filler";
    const int fd = ::open(filler.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) return 0;
    const std::string chunk(4096, 'x');
    std::size_t written = 0;
    for (;;) {
      const ssize_t n = ::write(fd, chunk.data(), chunk.size());
      if (n <= 0) break;
      written += static_cast<std::size_t>(n);
    }
    ::close(fd);
    return written;
  }

  pingyi::store::test::temp_directory temp_;
  fs::path mount_point_;
  fs::path data_;
  bool mounted_ = false;
  std::unique_ptr<server_child> server_;
  std::uint16_t port_ = 0;
};

TEST_F(Faults, FullDiskStopsWritesWithoutAcknowledgingAndARestartAfterSpaceReturnsServesAgain) {
  constexpr std::size_t members = 12;
  ASSERT_NO_FATAL_FAILURE(start());
  live_committee c(port_, pingyi::test::read_admin_token(data_));
  ASSERT_NO_THROW(c.create(members, 0, json::array({live_committee::evaluation_round()})));
  for (std::size_t i = 1; i <= members; ++i) ASSERT_NO_THROW(c.check_in(live_committee::member_id(i)));
  ASSERT_EQ(error_code_of(c.chair_request("seal_key")), "OK");
  ASSERT_EQ(error_code_of(c.chair_request("open_round", 1u)), "OK");
  std::vector<std::string> bodies;
  for (std::size_t i = 1; i <= members; ++i) {
    const auto v = c.take_token(live_committee::member_id(i), 1);
    bodies.push_back(pingyi::test::ballot_json(c.build(v, 1, i)).dump());
  }

  const std::size_t filled = fill_the_disk();
  ASSERT_GT(filled, 0u);
  std::cout << "[ figures  ] disk filled with " << filled / 1024 << " KiB" << std::endl;

  // Ballots until the first one that cannot be made durable: those before it got receipts
  // (SQLite's WAL may still have had room), it and every later write get INTERNAL.
  std::vector<json> receipts(members);
  std::size_t first_refused = members;
  for (std::size_t i = 0; i < members; ++i) {
    const auto r = c.cast_raw(bodies[i]);
    if (r.status == 200) {
      receipts[i] = json::parse(r.body)["receipt"];
      continue;
    }
    EXPECT_EQ(r.status, 500u) << r.body;
    EXPECT_EQ(error_code_of(json::parse(r.body, nullptr, false)), "INTERNAL") << r.body;
    first_refused = i;
    break;
  }
  ASSERT_LT(first_refused, members) << "the full disk never failed a commit";
  std::cout << "[ figures  ] " << first_refused << " ballots durable before the first refused one" << std::endl;
  const std::string durable = c.chain_text();

  // Fail-stop: every later write is INTERNAL, reads serve the durable chain, the process lives.
  for (std::size_t i = first_refused + 1; i < members; ++i) {
    const auto r = c.cast_raw(bodies[i]);
    EXPECT_EQ(r.status, 500u) << r.body;
    EXPECT_EQ(error_code_of(json::parse(r.body, nullptr, false)), "INTERNAL");
  }
  EXPECT_EQ(error_code_of(c.declare(live_committee::member_id(1), 1)), "INTERNAL");
  EXPECT_EQ(error_code_of(c.chair_request("close_round", 1u)), "INTERNAL");
  EXPECT_EQ(c.cast_raw(bodies[first_refused]).status, 500u) << "the refused ballot, sent again";
  EXPECT_EQ(c.chain_text(), durable);
  EXPECT_TRUE(server_->running());
  EXPECT_NE(server_->errors().find("refusing every request until the server is restarted"), std::string::npos)
      << server_->errors();
  for (std::size_t i = 0; i < first_refused; ++i) {
    const auto seq = receipts[i]["seq"].get<std::size_t>();
    const auto lines = pingyi::test::lines_of(durable);
    ASSERT_LT(seq, lines.size());
    EXPECT_EQ(crypto::to_hex(crypto::line_hash(lines[seq])), receipts[i]["hash"].get<std::string>());
  }

  // Space returns; the server is restarted (the store stays stopped until reopened, by design:
  // STORE.md, fail-stop) and a SIGTERM'd stopped store exits non-zero.
  fs::remove(mount_point_ / "filler");
  server_->signal(SIGTERM);
  const auto exit_code = server_->wait_exit(20s);
  ASSERT_TRUE(exit_code.has_value()) << "SIGTERM did not stop the failed server";
  EXPECT_EQ(*exit_code, 1) << "a server whose store stopped exits with 1";
  ASSERT_NO_FATAL_FAILURE(start());
  c.restarted(port_);
  const std::string replayed = c.chain_text();
  EXPECT_EQ(replayed.substr(0, durable.size()), durable) << "the restart lost a durable record";

  // Every client without a receipt sends the same bytes again: each ballot ends on the chain once.
  for (std::size_t i = first_refused; i < members; ++i) {
    const auto r = c.cast_raw(bodies[i]);
    ASSERT_EQ(r.status, 200u) << r.body;
    receipts[i] = json::parse(r.body)["receipt"];
  }
  ASSERT_EQ(error_code_of(c.chair_request("close_round", 1u)), "OK");
  ASSERT_TRUE(pingyi::test::eventually([&] { return !c.records_of("result").empty(); }, 20s));
  EXPECT_EQ(c.records_of("result").front()["ballots"], members);
  EXPECT_EQ(c.records_of("ballot").size(), members);
  const auto lines = c.chain_lines();
  for (const auto& r : receipts) {
    const auto seq = r["seq"].get<std::size_t>();
    ASSERT_LT(seq, lines.size());
    EXPECT_EQ(crypto::to_hex(crypto::line_hash(lines[seq])), r["hash"].get<std::string>());
  }
  EXPECT_FALSE(pingyi::verify::check_chain(lines, 2).failure.has_value());
}

TEST_F(Faults, ReadOnlyDataDirectoryRefusesToStartWithAClearErrorAndStartsOnceWritable) {
  // A data directory made by a first run, stopped cleanly.
  ASSERT_NO_FATAL_FAILURE(start());
  live_committee c(port_, pingyi::test::read_admin_token(data_));
  ASSERT_NO_THROW(c.create(3, 0, json::array({live_committee::evaluation_round()})));
  const std::string chain = c.chain_text();
  server_->signal(SIGTERM);
  ASSERT_EQ(server_->wait_exit(20s), 0);

  ASSERT_TRUE(remount(MS_RDONLY)) << std::strerror(errno);
  server_ = std::make_unique<server_child>(data_, temp_.path() / "server.stderr", "127.0.0.1:0");
  const auto refused = server_->wait_exit(30s);
  const std::string errors = server_->errors();
  ASSERT_TRUE(refused.has_value()) << "the server did not stop on a read-only data directory:\n" << errors;
  EXPECT_NE(*refused, 0);
  EXPECT_NE(errors.find("pingyi-server: "), std::string::npos) << errors;
  EXPECT_NE(errors.find(data_.string()), std::string::npos) << "the error names the data directory:\n" << errors;
  EXPECT_EQ(server_->output().find("listening on"), std::string::npos);
  std::cout << "[ message  ] " << errors.substr(errors.rfind("pingyi-server: ")) << std::flush;

  ASSERT_TRUE(remount(0)) << std::strerror(errno);
  port_ = 0;
  ASSERT_NO_FATAL_FAILURE(start());
  c.restarted(port_);
  EXPECT_EQ(c.chain_text(), chain);
  ASSERT_NO_THROW(c.check_in("m001"));
  ASSERT_NO_THROW(c.check_in("m002"));
  EXPECT_EQ(error_code_of(c.chair_request("seal_key")), "OK");
}

TEST_F(Faults, DataDirectoryThatTakesNoNewFileRefusesANewSessionAndKeepsServingTheOthers) {
  ASSERT_NO_FATAL_FAILURE(start());
  live_committee c(port_, pingyi::test::read_admin_token(data_));
  ASSERT_NO_THROW(c.create(3, 0, json::array({live_committee::evaluation_round()})));
  ASSERT_NO_THROW(c.check_in("m001"));

  // A live remount read-only is refused by the kernel while the database is open for writing
  // (EBUSY): the server's files stay writable. What can fail under a running server is a new
  // file: a session's keys are saved by writing a temporary file and renaming it.
  EXPECT_FALSE(remount(MS_RDONLY)) << "the kernel remounted a filesystem with files open for writing";
  ASSERT_TRUE(set_immutable(data_, true)) << std::strerror(errno);
  const std::string sessions = pingyi::test::http_call(port_, "GET", "/api/sessions").body;
  const std::string chain = c.chain_text();
  live_committee refused(port_, pingyi::test::read_admin_token(data_));
  try {
    refused.create(3, 0, json::array({live_committee::evaluation_round()}));
    ADD_FAILURE() << "a session was created whose keys could not be saved";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("INTERNAL"), std::string::npos) << e.what();
  }
  EXPECT_EQ(pingyi::test::http_call(port_, "GET", "/api/sessions").body, sessions);
  EXPECT_EQ(c.chain_text(), chain);
  // The existing session, whose files are open, goes on.
  EXPECT_NO_THROW(c.check_in("m002"));
  EXPECT_EQ(error_code_of(c.chair_request("seal_key")), "OK");

  ASSERT_TRUE(set_immutable(data_, false));
  live_committee later(port_, pingyi::test::read_admin_token(data_));
  EXPECT_NO_THROW(later.create(3, 0, json::array({live_committee::evaluation_round()})));
  // And everything survives a restart.
  server_->signal(SIGTERM);
  ASSERT_EQ(server_->wait_exit(20s), 0);
  ASSERT_NO_FATAL_FAILURE(start());
  EXPECT_EQ(json::parse(pingyi::test::http_call(port_, "GET", "/api/sessions").body)["sessions"].size(), 2u);
}

}  // namespace
