// The secrets file: round trip of named entries, created 0600 whatever the umask, replaced
// atomically, refused when others could read it or another user owns it, and strict about its
// format without ever echoing a value in an error.
#include "pingyi/store/secrets_file.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <ostream>
#include <sstream>
#include <string>
#include <type_traits>
#include <vector>

#include "pingyi/crypto/init.hpp"
#include "temp_directory.hpp"

namespace pingyi::store {
namespace {

using test::temp_directory;

static_assert(!std::is_copy_constructible_v<secret>, "a secret is not copied");
template <class T>
concept printable = requires(std::ostream& os, const T& t) {
  os << t;
};
static_assert(!printable<secret>, "a secret is not printable");

secret bytes_of(std::initializer_list<crypto::byte> b) {
  const std::vector<crypto::byte> v(b);
  return secret(crypto::byte_view{v});
}

std::vector<crypto::byte> copy_of(const secret& s) { return {s.bytes().begin(), s.bytes().end()}; }

void write_text(const std::filesystem::path& p, const std::string& text, mode_t mode = 0600) {
  { std::ofstream(p, std::ios::binary | std::ios::trunc) << text; }
  ASSERT_EQ(::chmod(p.c_str(), mode), 0);
}

std::string read_text(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

mode_t mode_of(const std::filesystem::path& p) {
  struct stat st {};
  EXPECT_EQ(::stat(p.c_str(), &st), 0);
  return st.st_mode & 07777;
}

class SecretsFile : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { ASSERT_TRUE(crypto::init()); }
  temp_directory dir_;
  std::filesystem::path path_ = dir_ / "secrets";
};

TEST_F(SecretsFile, RoundTripsNamedEntries) {
  secrets s;
  ASSERT_TRUE(s.set(secret_name::token_key, secret::generate(32)).ok());
  ASSERT_TRUE(s.set(secret_name::server_signing_key, secret::generate(32)).ok());
  ASSERT_TRUE(s.set(secret_name::server_trustee_key, secret::generate(32)).ok());
  ASSERT_TRUE(s.set("token_key:9f3a", bytes_of({0, 1, 2, 0xff})).ok());
  ASSERT_TRUE(write_secrets_file(path_, s).ok());

  auto back = read_secrets_file(path_);
  ASSERT_TRUE(back.ok()) << describe(back.error());
  EXPECT_EQ(back->names(), s.names());
  for (const std::string& name : s.names()) {
    ASSERT_NE(back->find(name), nullptr) << name;
    EXPECT_EQ(copy_of(*back->find(name)), copy_of(*s.find(name))) << name;
  }
  EXPECT_EQ(back->find("absent"), nullptr);
  EXPECT_EQ(back->find(secret_name::token_key)->size(), 32u);
  // The documented format, byte for byte.
  const std::string text = read_text(path_);
  EXPECT_EQ(text.substr(0, 17), "pingyi-secrets 1\n");
  EXPECT_NE(text.find("\ntoken_key:9f3a 000102ff\n"), std::string::npos);
}

TEST_F(SecretsFile, IsCreatedWithMode0600WhateverTheUmask) {
  secrets s;
  ASSERT_TRUE(s.set(secret_name::token_key, secret::generate(32)).ok());
  for (const mode_t mask : {mode_t{0}, mode_t{022}, mode_t{0277}}) {
    const mode_t old = ::umask(mask);
    const status w = write_secrets_file(path_, s);
    ::umask(old);
    ASSERT_TRUE(w.ok()) << describe(w.error());
    EXPECT_EQ(mode_of(path_), 0600u) << "umask " << mask;
    EXPECT_TRUE(read_secrets_file(path_).ok());
  }
}

TEST_F(SecretsFile, RefusesAFileOthersCouldRead) {
  secrets s;
  ASSERT_TRUE(s.set(secret_name::token_key, secret::generate(32)).ok());
  ASSERT_TRUE(write_secrets_file(path_, s).ok());
  for (const mode_t mode : {mode_t{0644}, mode_t{0640}, mode_t{0604}, mode_t{0700}, mode_t{0660}}) {
    ASSERT_EQ(::chmod(path_.c_str(), mode), 0);
    auto r = read_secrets_file(path_);
    ASSERT_FALSE(r.ok()) << std::oct << mode;
    EXPECT_EQ(r.error().code, error_code::insecure_permissions) << std::oct << mode;
  }
  ASSERT_EQ(::chmod(path_.c_str(), 0644), 0);
  EXPECT_NE(read_secrets_file(path_).error().message.find("0644"), std::string::npos);
  ASSERT_EQ(::chmod(path_.c_str(), 0400), 0);  // narrower is fine
  EXPECT_TRUE(read_secrets_file(path_).ok());
}

TEST_F(SecretsFile, RefusesAFileOwnedByAnotherUser) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to give the file away";
  secrets s;
  ASSERT_TRUE(s.set(secret_name::token_key, secret::generate(32)).ok());
  ASSERT_TRUE(write_secrets_file(path_, s).ok());
  ASSERT_EQ(::chown(path_.c_str(), 65534, 65534), 0);
  auto r = read_secrets_file(path_);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, error_code::insecure_permissions);
}

TEST_F(SecretsFile, RefusesASymbolicLink) {
  secrets s;
  ASSERT_TRUE(s.set(secret_name::token_key, secret::generate(32)).ok());
  ASSERT_TRUE(write_secrets_file(dir_ / "real", s).ok());
  std::filesystem::create_symlink(dir_ / "real", path_);
  auto r = read_secrets_file(path_);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, error_code::insecure_permissions);
}

TEST_F(SecretsFile, ReportsAMissingFileAsNotFound) {
  auto r = read_secrets_file(path_);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, error_code::not_found);
}

TEST_F(SecretsFile, ReplacesTheFileAtomicallyAndLeavesNoTemporaryFile) {
  secrets v1;
  ASSERT_TRUE(v1.set(secret_name::token_key, bytes_of({1, 1, 1})).ok());
  ASSERT_TRUE(write_secrets_file(path_, v1).ok());
  const std::string old_text = read_text(path_);
  std::ifstream old_reader(path_, std::ios::binary);  // a reader that opened the old file

  secrets v2;
  ASSERT_TRUE(v2.set(secret_name::token_key, bytes_of({2, 2, 2})).ok());
  ASSERT_TRUE(v2.set(secret_name::server_signing_key, secret::generate(32)).ok());
  ASSERT_TRUE(write_secrets_file(path_, v2).ok());

  // The old file was replaced, not rewritten in place: its reader still sees all of it.
  std::stringstream seen;
  seen << old_reader.rdbuf();
  EXPECT_EQ(seen.str(), old_text);
  auto back = read_secrets_file(path_);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(copy_of(*back->find(secret_name::token_key)), (std::vector<crypto::byte>{2, 2, 2}));
  EXPECT_EQ(back->size(), 2u);

  std::vector<std::string> files;
  for (const auto& e : std::filesystem::directory_iterator(dir_.path())) files.push_back(e.path().filename());
  EXPECT_EQ(files, std::vector<std::string>{"secrets"});
}

TEST_F(SecretsFile, RewritingAWideFileLeavesItNarrow) {
  write_text(path_, "pingyi-secrets 1\ntoken_key 0102\n", 0644);
  secrets s;
  ASSERT_TRUE(s.set(secret_name::token_key, secret::generate(32)).ok());
  ASSERT_TRUE(write_secrets_file(path_, s).ok());
  EXPECT_EQ(mode_of(path_), 0600u);
}

TEST_F(SecretsFile, RefusesMalformedFilesNamingTheLineButNotItsContent) {
  const std::string v = "deadbeefdeadbeef";
  struct bad_case {
    const char* name;
    std::string text;
    error_code expected;
  };
  const std::vector<bad_case> cases = {
      {"empty", "", error_code::corrupt},
      {"no final line feed", "pingyi-secrets 1\ntoken_key " + v, error_code::corrupt},
      {"wrong header", "secrets 1\ntoken_key " + v + "\n", error_code::corrupt},
      {"later version", "pingyi-secrets 2\ntoken_key " + v + "\n", error_code::unsupported_version},
      {"upper-case hex", "pingyi-secrets 1\ntoken_key DEADBEEF" + v + "\n", error_code::corrupt},
      {"odd hex", "pingyi-secrets 1\ntoken_key " + v + "f\n", error_code::corrupt},
      {"not hex", "pingyi-secrets 1\ntoken_key " + v + "zz\n", error_code::corrupt},
      {"empty value", "pingyi-secrets 1\ntoken_key \n", error_code::corrupt},
      {"no value", "pingyi-secrets 1\n" + v + "\n", error_code::corrupt},
      {"duplicate", "pingyi-secrets 1\ntoken_key " + v + "\ntoken_key " + v + "\n", error_code::corrupt},
      {"unsorted", "pingyi-secrets 1\nz " + v + "\na " + v + "\n", error_code::corrupt},
      {"blank line", "pingyi-secrets 1\n\ntoken_key " + v + "\n", error_code::corrupt},
      {"trailing space", "pingyi-secrets 1\ntoken_key " + v + " \n", error_code::corrupt},
      {"CRLF", "pingyi-secrets 1\r\ntoken_key " + v + "\r\n", error_code::corrupt},
      {"bad name", "pingyi-secrets 1\ntoken key " + v + "\n", error_code::corrupt},
      {"value too long", "pingyi-secrets 1\ntoken_key " + std::string(2050, 'a') + "\n", error_code::corrupt},
  };
  for (const bad_case& c : cases) {
    write_text(path_, c.text);
    auto r = read_secrets_file(path_);
    ASSERT_FALSE(r.ok()) << c.name;
    EXPECT_EQ(r.error().code, c.expected) << c.name << ": " << describe(r.error());
    EXPECT_EQ(r.error().message.find("deadbeef"), std::string::npos) << c.name << ": " << r.error().message;
    EXPECT_EQ(r.error().message.find("DEADBEEF"), std::string::npos) << c.name;
  }
  write_text(path_, "pingyi-secrets 1\na " + v + "\ntoken_key " + v + "\n");
  EXPECT_TRUE(read_secrets_file(path_).ok());
}

TEST(Secret, MovesWithoutLeavingACopyBehind) {
  secret a = bytes_of({9, 8, 7});
  secret b(std::move(a));
  EXPECT_EQ(a.size(), 0u);  // NOLINT(bugprone-use-after-move): the point of the test
  EXPECT_EQ(copy_of(b), (std::vector<crypto::byte>{9, 8, 7}));
  secret c = bytes_of({1});
  c = std::move(b);
  EXPECT_EQ(b.size(), 0u);  // NOLINT(bugprone-use-after-move)
  EXPECT_EQ(c.size(), 3u);
}

TEST(Secrets, RefusesBadNamesAndSizes) {
  secrets s;
  EXPECT_EQ(s.set("", bytes_of({1})).error().code, error_code::invalid_argument);
  EXPECT_EQ(s.set("has space", bytes_of({1})).error().code, error_code::invalid_argument);
  EXPECT_EQ(s.set("换行", bytes_of({1})).error().code, error_code::invalid_argument);
  EXPECT_EQ(s.set(std::string(129, 'a'), bytes_of({1})).error().code, error_code::invalid_argument);
  EXPECT_EQ(s.set("empty", secret(crypto::byte_view{})).error().code, error_code::invalid_argument);
  EXPECT_EQ(s.set("big", secret::generate(1025)).error().code, error_code::invalid_argument);
  EXPECT_TRUE(s.set("ok.name:with-all_chars9", secret::generate(1024)).ok());
  EXPECT_TRUE(s.empty() == false);
}

}  // namespace
}  // namespace pingyi::store
