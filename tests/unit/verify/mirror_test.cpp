// Tests of the follower's mirror directory on real files: what is appended is read back, a last
// line cut short by a crash is dropped and reported, a damaged heads file is refused naming the
// line, a second follower is locked out, and evidence is written whole.
#include "mirror.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "../store/temp_directory.hpp"
#include "pingyi/crypto/bytes.hpp"

namespace pingyi::verify {
namespace {

namespace fs = std::filesystem;
using store::test::temp_directory;

std::string read(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void append_raw(const fs::path& file, const std::string& bytes) {
  std::ofstream out(file, std::ios::binary | std::ios::app);
  out << bytes;
}

crypto::signed_head head(std::uint64_t seq, std::uint8_t fill) {
  crypto::signed_head h;
  h.seq = seq;
  h.hash.fill(fill);
  crypto::byte_array<64> sig{};
  sig.fill(static_cast<std::uint8_t>(fill + 1));
  h.sig = crypto::signature(sig);
  return h;
}

TEST(Mirror, CreatesTheDirectoryAndReadsBackWhatWasAppended) {
  temp_directory temp;
  const auto dir = temp.path() / "a" / "mirror";
  {
    auto m = mirror::open(dir);
    ASSERT_TRUE(m.ok()) << m.error();
    EXPECT_TRUE(m->lines().empty());
    EXPECT_TRUE(m->heads().empty());
    const std::vector<crypto::signed_head> heads{head(0, 1), head(1, 2)};
    const std::vector<std::string> lines{R"({"seq":0})", R"({"seq":1,"t":"评议"})"};
    EXPECT_FALSE(m->append_heads(heads));
    EXPECT_FALSE(m->append_lines(lines));
  }
  EXPECT_EQ(read(dir / "chain.jsonl"), "{\"seq\":0}\n{\"seq\":1,\"t\":\"评议\"}\n");
  auto again = mirror::open(dir);
  ASSERT_TRUE(again.ok()) << again.error();
  EXPECT_EQ(again->lines(), (std::vector<std::string>{R"({"seq":0})", R"({"seq":1,"t":"评议"})"}));
  EXPECT_EQ(again->heads(), (std::vector<crypto::signed_head>{head(0, 1), head(1, 2)}));
  EXPECT_TRUE(again->notices().empty());
  EXPECT_FALSE(again->has_evidence());
}

TEST(Mirror, CutsOffALastLineACrashLeftIncompleteAndSaysSo) {
  temp_directory temp;
  const auto dir = temp.path() / "mirror";
  { ASSERT_TRUE(mirror::open(dir).ok()); }
  append_raw(dir / "chain.jsonl", "{\"seq\":0}\n{\"seq\":1,\"pr");
  append_raw(dir / "heads.jsonl", head_line(head(0, 5)) + "\n{\"seq\":1,");
  auto m = mirror::open(dir);
  ASSERT_TRUE(m.ok()) << m.error();
  EXPECT_EQ(m->lines(), std::vector<std::string>{"{\"seq\":0}"});
  EXPECT_EQ(m->heads().size(), 1u);
  ASSERT_EQ(m->notices().size(), 2u);
  EXPECT_NE(m->notices()[0].find("dropped an incomplete last line"), std::string::npos) << m->notices()[0];
  EXPECT_EQ(read(dir / "chain.jsonl"), "{\"seq\":0}\n") << "cut off the file, so appends follow a whole line";
  const std::vector<std::string> next{"{\"seq\":1}"};
  EXPECT_FALSE(m->append_lines(next));
  EXPECT_EQ(read(dir / "chain.jsonl"), "{\"seq\":0}\n{\"seq\":1}\n");
}

TEST(Mirror, RefusesADamagedHeadsFileNamingTheLine) {
  temp_directory temp;
  const auto dir = temp.path() / "mirror";
  { ASSERT_TRUE(mirror::open(dir).ok()); }
  append_raw(dir / "heads.jsonl", head_line(head(0, 5)) + "\n{\"seq\":1,\"hash\":\"zz\",\"sig\":\"00\"}\n");
  const auto m = mirror::open(dir);
  ASSERT_FALSE(m.ok());
  EXPECT_NE(m.error().find("line 2 is not a signed head"), std::string::npos) << m.error();
}

TEST(Mirror, ASecondFollowerIsLockedOutUntilTheFirstCloses) {
  temp_directory temp;
  const auto dir = temp.path() / "mirror";
  {
    auto first = mirror::open(dir);
    ASSERT_TRUE(first.ok());
    const auto second = mirror::open(dir);
    ASSERT_FALSE(second.ok());
    EXPECT_NE(second.error().find("another pingyi-verify is following into"), std::string::npos) << second.error();
  }
  EXPECT_TRUE(mirror::open(dir).ok());
}

TEST(Mirror, WritesEvidenceWhole) {
  temp_directory temp;
  auto m = mirror::open(temp.path() / "mirror");
  ASSERT_TRUE(m.ok());
  EXPECT_FALSE(m->write_evidence("{\"format\":\"pingyi-fork-evidence/1\"}\n"));
  EXPECT_TRUE(m->has_evidence());
  EXPECT_EQ(read(m->evidence_path()), "{\"format\":\"pingyi-fork-evidence/1\"}\n");
  EXPECT_FALSE(fs::exists(temp.path() / "mirror" / "fork-evidence.json.tmp"));
}

TEST(SignedHead, ParsesTheHeadAnswerAndTheMirrorLineAndNothingElse) {
  const auto h = head(7, 3);
  const auto line = head_line(h);
  EXPECT_EQ(parse_signed_head(line), h);
  std::string answer = line;
  answer.insert(1, "\"ok\":true,");
  EXPECT_EQ(parse_signed_head(answer), h) << "GET …/head wraps it in the success envelope";
  std::string extra = line;
  extra.insert(1, "\"more\":1,");
  EXPECT_FALSE(parse_signed_head(extra));
  EXPECT_FALSE(parse_signed_head(R"({"seq":-1,"hash":"00","sig":"00"})"));
  EXPECT_FALSE(parse_signed_head("[]"));
}

}  // namespace
}  // namespace pingyi::verify
