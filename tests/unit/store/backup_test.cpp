// Backup and restore of the store on real files: a backup taken while the writer appends is a
// consistent prefix of the chain with the secrets beside it, and restores byte for byte with the
// backup's own table wiped; nothing is ever overwritten, and a file that is not a backup is
// refused before anything is created.
#include "pingyi/store/backup.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <thread>
#include <vector>

#include "pingyi/crypto/bytes.hpp"
#include "pingyi/crypto/hash.hpp"
#include "pingyi/crypto/init.hpp"
#include "pingyi/store/chain_store.hpp"
#include "pingyi/store/secrets_file.hpp"
#include "temp_directory.hpp"

namespace pingyi::store {
namespace {

namespace fs = std::filesystem;
using crypto::session_id;

std::string numbered_line(std::uint64_t seq) {
  return std::string(R"({"seq":)").append(std::to_string(seq)).append(R"(,"type":"test"})");
}

std::string file_bytes(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

unsigned mode_of(const fs::path& p) {
  struct stat st{};
  EXPECT_EQ(::stat(p.c_str(), &st), 0) << p;
  return st.st_mode & 0777;
}

class Backup : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(crypto::init());
    fs::create_directories(live_);
    fs::create_directories(restored_);
    secrets s;
    token_key_ = secret::generate(32);
    ASSERT_TRUE(s.set(secret_name::token_key, secret(token_key_->bytes())).ok());
    ASSERT_TRUE(write_secrets_file(live_ / "secrets", s).ok());
  }

  // Appends records seq from … to − 1, each waiting for durability.
  static void append_range(chain_store& store, const session_id& sid, std::uint64_t from, std::uint64_t to) {
    for (std::uint64_t seq = from; seq < to; ++seq) {
      std::atomic<bool> done{false};
      bool ok = false;
      ASSERT_TRUE(store.append(sid, seq, numbered_line(seq), [&](const status& s) {
                         ok = s.ok();
                         done.store(true);
                         done.notify_all();
                       })
                      .ok());
      done.wait(false);
      ASSERT_TRUE(ok) << seq;
    }
  }

  static session_id create(chain_store& store) {
    write_batch b;
    const session_id sid = b.create_session(R"({"seq":0,"type":"genesis"})");
    std::atomic<bool> done{false};
    EXPECT_TRUE(store.write(std::move(b), [&](const status&) {
                       done.store(true);
                       done.notify_all();
                     })
                    .ok());
    done.wait(false);
    return sid;
  }

  test::temp_directory dir_;
  fs::path live_ = dir_.path() / "live";
  fs::path restored_ = dir_.path() / "restored";
  std::optional<secret> token_key_;
};

TEST_F(Backup, TakenWhileTheWriterAppendsIsAConsistentPrefixThatRestoresWhole) {
  auto store = chain_store::open(live_ / "pingyi.db");
  ASSERT_TRUE(store.ok()) << describe(store.error());
  const session_id sid = create(*store);
  append_range(*store, sid, 1, 50);

  std::thread writer([&] { append_range(*store, sid, 50, 1500); });
  const auto backup = write_backup(live_ / "pingyi.db", live_ / "secrets", dir_.path() / "backup.pingyi");
  writer.join();
  ASSERT_TRUE(backup.ok()) << describe(backup.error());
  ASSERT_EQ(backup->sessions.size(), 1u);
  const std::uint64_t taken = backup->sessions[0].length;
  EXPECT_GE(taken, 50u);
  EXPECT_LE(taken, 1500u);
  EXPECT_GT(backup->bytes, 0u);
  EXPECT_EQ(mode_of(dir_.path() / "backup.pingyi"), 0600u);
  EXPECT_FALSE(fs::exists(dir_.path() / "backup.pingyi.partial"));

  const auto restored = restore_backup(dir_.path() / "backup.pingyi", restored_ / "pingyi.db", restored_ / "secrets");
  ASSERT_TRUE(restored.ok()) << describe(restored.error());
  ASSERT_EQ(restored->sessions.size(), 1u);
  EXPECT_EQ(restored->sessions[0].length, taken);
  EXPECT_EQ(mode_of(restored_ / "pingyi.db"), 0600u);
  EXPECT_EQ(mode_of(restored_ / "secrets"), 0600u);

  // The restored chain is exactly the first `taken` records of the live one, and checks.
  auto copy = chain_store::open(restored_ / "pingyi.db");
  ASSERT_TRUE(copy.ok()) << describe(copy.error());
  EXPECT_TRUE(copy->check_chain(sid).ok());
  const auto original = store->load_chain(sid);
  const auto again = copy->load_chain(sid);
  ASSERT_TRUE(original.ok() && again.ok());
  ASSERT_EQ(again->size(), taken);
  for (std::size_t i = 0; i < again->size(); ++i) ASSERT_EQ((*again)[i], (*original)[i]) << i;

  // The secrets came back whole; the restored database holds them no more.
  const auto keys = read_secrets_file(restored_ / "secrets");
  ASSERT_TRUE(keys.ok()) << describe(keys.error());
  ASSERT_NE(keys->find(secret_name::token_key), nullptr);
  const auto key_bytes = keys->find(secret_name::token_key)->bytes();
  EXPECT_TRUE(std::equal(key_bytes.begin(), key_bytes.end(), token_key_->bytes().begin(), token_key_->bytes().end()));
  copy->close();
  const std::string hex = crypto::to_hex(token_key_->bytes());
  EXPECT_NE(file_bytes(dir_.path() / "backup.pingyi").find(hex), std::string::npos) << "the backup carries the keys";
  EXPECT_EQ(file_bytes(restored_ / "pingyi.db").find(hex), std::string::npos) << "a key left in the restored database";
}

TEST_F(Backup, NeverOverwritesAFileOrAStore) {
  {
    auto store = chain_store::open(live_ / "pingyi.db");
    ASSERT_TRUE(store.ok());
    create(*store);
  }
  std::ofstream(dir_.path() / "taken") << "something precious\n";
  auto r = write_backup(live_ / "pingyi.db", live_ / "secrets", dir_.path() / "taken");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, error_code::already_exists);
  EXPECT_EQ(file_bytes(dir_.path() / "taken"), "something precious\n");

  ASSERT_TRUE(write_backup(live_ / "pingyi.db", live_ / "secrets", dir_.path() / "backup").ok());
  // Restoring over the live store, or next to an existing secrets file, is refused untouched.
  const std::string before = file_bytes(live_ / "secrets");
  r = restore_backup(dir_.path() / "backup", live_ / "pingyi.db", restored_ / "secrets");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, error_code::already_exists);
  r = restore_backup(dir_.path() / "backup", restored_ / "pingyi.db", live_ / "secrets");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, error_code::already_exists);
  EXPECT_EQ(file_bytes(live_ / "secrets"), before);
  EXPECT_FALSE(fs::exists(restored_ / "pingyi.db"));
}

TEST_F(Backup, RefusesWhatIsNotABackupAndCreatesNothing) {
  {
    auto store = chain_store::open(live_ / "pingyi.db");
    ASSERT_TRUE(store.ok());
    create(*store);
  }
  // A store itself is not a backup: it has no secrets.
  auto r = restore_backup(live_ / "pingyi.db", restored_ / "pingyi.db", restored_ / "secrets");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, error_code::corrupt);
  EXPECT_NE(r.error().message.find("is not a pingyi backup"), std::string::npos) << r.error().message;

  std::ofstream(dir_.path() / "notes.txt") << "not a database at all, but long enough to have a header of sorts\n";
  r = restore_backup(dir_.path() / "notes.txt", restored_ / "pingyi.db", restored_ / "secrets");
  ASSERT_FALSE(r.ok());

  r = restore_backup(dir_.path() / "missing", restored_ / "pingyi.db", restored_ / "secrets");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, error_code::not_found);
  EXPECT_TRUE(fs::is_empty(restored_));

  const auto b = write_backup(dir_.path() / "no-such.db", live_ / "secrets", dir_.path() / "backup");
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.error().code, error_code::not_found);
  EXPECT_FALSE(fs::exists(dir_.path() / "backup"));
  EXPECT_FALSE(fs::exists(dir_.path() / "backup.partial"));
}

}  // namespace
}  // namespace pingyi::store
