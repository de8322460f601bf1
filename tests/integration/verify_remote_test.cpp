// pingyi-verify against the real pingyi-server over loopback, both as child processes: --url
// downloads and verifies a session (plain, and https against a private CA); --follow --mirror
// verifies a live session record by record until it is adjourned, resumes from its mirror after a
// restart, and catches a server whose restored data directory rewrote records it had signed;
// an unreachable server and an unknown session are exit 2. Every wait is bounded.
// clang-format off
#include <utility>  // first: Boost 1.74's Asio (test_client.hpp) needs it before its awaitable header
// clang-format on

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "../unit/store/temp_directory.hpp"
#include "chain_check.hpp"
#include "child_process.hpp"
#include "fork_evidence.hpp"
#include "mirror.hpp"
#include "pingyi/core/record.hpp"
#include "pingyi/crypto/init.hpp"
#include "session_driver.hpp"

namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;
using namespace std::chrono_literals;
using pingyi::store::test::temp_directory;
using pingyi::test::child_process;
using pingyi::test::eventually;
using pingyi::test::read_whole_file;
using pingyi::test::session_driver;
namespace crypto = pingyi::crypto;
namespace core = pingyi::core;
namespace verify = pingyi::verify;

constexpr auto start_timeout = 30s;
constexpr auto verify_timeout = 60s;  // a follower reconnects with back-off: up to 30 s between tries

using pingyi::test::unused_port;

std::size_t line_count(const fs::path& file) {
  const std::string text = read_whole_file(file);
  return static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
}

class VerifyRemote : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(crypto::init()); }

  fs::path data_dir() const { return temp_.path() / "data"; }
  fs::path mirror_dir() const { return temp_.path() / "mirror"; }

  // pingyi-server on `port` (0: any), the data directory of the test; `extra`: --tls-cert … .
  void start_server(std::uint16_t port = 0, const std::vector<std::string>& extra = {}) {
    server_.reset();
    std::vector<std::string> args{"--listen", "127.0.0.1:" + std::to_string(port), "--data-dir", data_dir().string(),
                                  "--threads", "1", "--workers", "1", "--log-level", "warn"};
    args.insert(args.end(), extra.begin(), extra.end());
    const auto n = std::to_string(++servers_started_);
    server_ = std::make_unique<child_process>(PINGYI_SERVER_BINARY, args, temp_.path() / ("server" + n + ".out"),
                                              temp_.path() / ("server" + n + ".err"));
    const auto listening = pingyi::test::listening_port(*server_, start_timeout);
    ASSERT_TRUE(listening) << server_->output() << server_->errors();
    port_ = *listening;
    std::string token = read_whole_file(data_dir() / "admin-token");
    while (!token.empty() && (token.back() == '\n' || token.back() == '\r')) token.pop_back();
    if (!driver_) {
      driver_ = std::make_unique<session_driver>(port_, token);
    } else {
      driver_->reconnect(port_);
    }
  }

  void stop_server() {
    server_->signal(SIGTERM);
    ASSERT_EQ(server_->wait_exit(20s), 0) << server_->errors();
  }

  // pingyi-verify with `args`, started now; its output in files of the test directory.
  std::unique_ptr<child_process> start_verify(const std::vector<std::string>& args) {
    const auto n = std::to_string(++verifies_started_);
    return std::make_unique<child_process>(PINGYI_VERIFY_BINARY, args, temp_.path() / ("verify" + n + ".out"),
                                           temp_.path() / ("verify" + n + ".err"));
  }

  struct run_result {
    std::optional<int> exit;
    std::string out;
    std::string err;
  };
  run_result run_verify(const std::vector<std::string>& args) {
    auto v = start_verify(args);
    const auto code = v->wait_exit(verify_timeout);
    return run_result{code, v->output(), v->errors()};
  }

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::vector<std::string> follow_args() const {
    return {"--url", url(), "--session", driver_->session(), "--follow", "--mirror", mirror_dir().string(), "--lang", "en"};
  }

  // Members m01 … m04 checked in.
  void session_with_members_present() {
    driver_->create();
    for (std::size_t i = 1; i <= 4; ++i) driver_->check_in(session_driver::member_id(i));
  }

  // Round 1: sealed, opened, three ballots, closed, counted, revealed.
  void round_one() {
    driver_->chair("seal_key");
    driver_->chair("open_round", 1u);
    for (std::size_t i = 1; i <= 3; ++i) driver_->vote(session_driver::member_id(i), 1, i);
    driver_->chair("close_round", 1u);
    driver_->wait_for_record("result", 1);
    driver_->chair("reveal", 1u);
  }

  // The mirror as pingyi-verify left it: chain.jsonl byte for byte what the server serves, and a
  // signed head, verifying with genesis' key, for every record.
  void expect_mirror_is_the_chain() {
    const std::string served = driver_->chain_text();
    EXPECT_EQ(read_whole_file(mirror_dir() / "chain.jsonl"), served);
    const auto lines = verify::split_lines(served).value();
    const auto genesis = std::get<core::genesis_body>(core::decode(lines.front()).value().body);
    const auto session = crypto::line_hash(lines.front());
    std::set<std::uint64_t> seqs;
    const auto heads = verify::split_lines(read_whole_file(mirror_dir() / "heads.jsonl")).value();
    for (const auto& text : heads) {
      const auto head = verify::parse_signed_head(text);
      ASSERT_TRUE(head) << text;
      EXPECT_TRUE(crypto::verify_head(genesis.server_key, session, head->seq, head->hash, head->sig).ok()) << text;
      ASSERT_LT(head->seq, lines.size());
      EXPECT_EQ(head->hash, crypto::line_hash(lines[head->seq])) << text;
      seqs.insert(head->seq);
    }
    EXPECT_EQ(seqs.size(), lines.size()) << "a signed head for every record";
  }

  temp_directory temp_;
  std::unique_ptr<child_process> server_;
  std::unique_ptr<session_driver> driver_;
  std::uint16_t port_ = 0;
  int servers_started_ = 0;
  int verifies_started_ = 0;
};

TEST_F(VerifyRemote, UrlDownloadsAndVerifiesARealSession) {
  ASSERT_NO_FATAL_FAILURE(start_server());
  session_with_members_present();
  round_one();

  const auto r = run_verify({"--url", url(), "--session", driver_->session(), "--lang", "en"});
  ASSERT_EQ(r.exit, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("✓ every record verified"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("✓ signature valid, matches the chain"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("members 5  present 4  tokens 3  ballots 3  declared 3  undeclared 0"), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("满意 1  基本满意 1  不满意 1"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("verdict: ✓ everything verified"), std::string::npos) << r.out;

  const auto j = run_verify({"--url", url() + "/", "--session", driver_->session(), "--json", "--threads", "1"});
  ASSERT_EQ(j.exit, 0) << j.out << j.err;
  const json report = json::parse(j.out);
  EXPECT_TRUE(report["verified"].get<bool>());
  EXPECT_EQ(report["session"], driver_->session());
  EXPECT_EQ(report["records"], driver_->chain_lines().size());
  EXPECT_TRUE(report["head"]["on_chain"].get<bool>());
  EXPECT_EQ(report["rounds"][0]["ballots"], 3);
}

// The secretariat's exports come from the verified fold of what the server serves: the CSV's
// counts are the result record's, the printed report ends with the chain's final hash; a chain
// with one byte changed gets no export at all.
TEST_F(VerifyRemote, ResultsAreExportedFromTheVerifiedChainAndNeverFromOneThatFails) {
  ASSERT_NO_FATAL_FAILURE(start_server());
  session_with_members_present();
  round_one();
  const fs::path csv = temp_.path() / "results.csv";
  const fs::path html = temp_.path() / "results.html";
  const auto r = run_verify({"--url", url(), "--session", driver_->session(), "--results-csv", csv.string(),
                             "--results-html", html.string()});
  ASSERT_EQ(r.exit, 0) << r.out << r.err;
  const std::string table = read_whole_file(csv);
  EXPECT_NE(table.find(R"("1","满意度测评","测评","d1","县教育局","满意","1",)"), std::string::npos) << table;
  EXPECT_NE(table.find(R"("1","满意度测评","测评","d1","县教育局","不满意","1",)"), std::string::npos) << table;
  const auto lines = driver_->chain_lines();
  const std::string report = read_whole_file(html);
  EXPECT_NE(report.find(crypto::to_hex(crypto::line_hash(lines.back()))), std::string::npos);
  EXPECT_NE(report.find("测评结果通报"), std::string::npos);

  // The same chain with one digit of a ballot changed, from a file.
  std::string text = driver_->chain_text();
  const auto at = text.find("\"type\":\"ballot\"");
  ASSERT_NE(at, std::string::npos);
  const auto digit = text.find_first_of("0123456789abcdef", text.find("\"vk\":\"", at) + 6);
  text[digit] = text[digit] == '0' ? '1' : '0';
  std::ofstream(temp_.path() / "altered.jsonl", std::ios::binary) << text;
  fs::remove(csv);
  fs::remove(html);
  const auto bad = run_verify({(temp_.path() / "altered.jsonl").string(), "--results-csv", csv.string(),
                               "--results-html", html.string(), "--lang", "en"});
  EXPECT_EQ(bad.exit, 1) << bad.out << bad.err;
  EXPECT_NE(bad.err.find("the results were not written: the chain did not verify"), std::string::npos) << bad.err;
  EXPECT_FALSE(fs::exists(csv));
  EXPECT_FALSE(fs::exists(html));
}

TEST_F(VerifyRemote, UnreachableServerIsExitTwoWithAClearError) {
  const auto port = std::to_string(unused_port());
  const std::string session(64, 'a');
  const auto r = run_verify({"--url", "http://127.0.0.1:" + port, "--session", session});
  EXPECT_EQ(r.exit, 2) << r.out << r.err;
  EXPECT_NE(r.err.find("cannot connect to 127.0.0.1:" + port), std::string::npos) << r.err;
  EXPECT_TRUE(r.out.empty()) << r.out;

  const auto f = run_verify({"--url", "http://127.0.0.1:" + port, "--session", session, "--follow", "--mirror",
                             mirror_dir().string()});
  EXPECT_EQ(f.exit, 2) << f.out << f.err;
  EXPECT_NE(f.err.find("cannot connect to 127.0.0.1:" + port), std::string::npos) << f.err;
}

TEST_F(VerifyRemote, UnknownSessionIsExitTwoWithNotFound) {
  ASSERT_NO_FATAL_FAILURE(start_server());
  const std::string unknown(64, 'a');
  const auto r = run_verify({"--url", url(), "--session", unknown});
  EXPECT_EQ(r.exit, 2) << r.out << r.err;
  EXPECT_NE(r.err.find("NOT_FOUND"), std::string::npos) << r.err;

  const auto f = run_verify({"--url", url(), "--session", unknown, "--follow", "--mirror", mirror_dir().string()});
  EXPECT_EQ(f.exit, 2) << f.out << f.err;
  EXPECT_NE(f.err.find("NOT_FOUND"), std::string::npos) << f.err;

  // Not a session id at all: bad usage, before any connection.
  const auto bad = run_verify({"--url", url(), "--session", "XYZ"});
  EXPECT_EQ(bad.exit, 2);
  EXPECT_NE(bad.err.find("--session"), std::string::npos) << bad.err;
}

TEST_F(VerifyRemote, FollowMirrorsALiveSessionUntilAdjourned) {
  ASSERT_NO_FATAL_FAILURE(start_server());
  session_with_members_present();
  auto follower = start_verify(follow_args());
  // Records appended while it follows: a whole round with ballots, then the adjournment.
  ASSERT_TRUE(eventually([&] { return line_count(mirror_dir() / "chain.jsonl") == driver_->chain_lines().size(); },
                         verify_timeout))
      << follower->errors();
  round_one();
  driver_->chair("adjourn");

  const auto code = follower->wait_exit(verify_timeout);
  ASSERT_EQ(code, 0) << follower->output() << follower->errors();
  EXPECT_NE(follower->output().find("verdict: ✓ everything verified"), std::string::npos) << follower->output();
  EXPECT_NE(follower->errors().find("(adjourned)"), std::string::npos) << follower->errors();
  expect_mirror_is_the_chain();
  EXPECT_FALSE(fs::exists(mirror_dir() / "fork-evidence.json"));
}

TEST_F(VerifyRemote, RestartedFollowerResumesFromItsMirror) {
  ASSERT_NO_FATAL_FAILURE(start_server());
  session_with_members_present();
  {
    auto first = start_verify(follow_args());
    ASSERT_TRUE(eventually([&] { return line_count(mirror_dir() / "chain.jsonl") == driver_->chain_lines().size(); },
                           verify_timeout))
        << first->errors();
    first->kill();  // as a power cut would: no chance to tidy up
  }
  const std::size_t kept = line_count(mirror_dir() / "chain.jsonl");
  // …and a crash in the middle of an append.
  {
    std::ofstream torn(mirror_dir() / "chain.jsonl", std::ios::binary | std::ios::app);
    torn << R"({"seq":)" << kept << R"(,"prev":"0)";
  }
  round_one();

  auto second = start_verify(follow_args());
  ASSERT_TRUE(eventually([&] { return line_count(mirror_dir() / "chain.jsonl") == driver_->chain_lines().size(); },
                         verify_timeout))
      << second->errors();
  driver_->chair("adjourn");
  const auto code = second->wait_exit(verify_timeout);
  ASSERT_EQ(code, 0) << second->output() << second->errors();
  const std::string log = second->errors();
  EXPECT_NE(log.find("dropped an incomplete last line"), std::string::npos) << log;
  EXPECT_NE(log.find("the mirror's " + std::to_string(kept) + " records verified again"), std::string::npos) << log;
  EXPECT_NE(log.find("following from record " + std::to_string(kept - 1)), std::string::npos) << log;
  expect_mirror_is_the_chain();
}

// The server's data directory is copied, the follower sees records signed after the copy, then the
// server is restored from the copy and signs other records at the same seqs.
TEST_F(VerifyRemote, RewrittenHistoryIsCaughtWithEvidenceBothHeadsVerify) {
  ASSERT_NO_FATAL_FAILURE(start_server());
  driver_->create();
  for (std::size_t i = 1; i <= 3; ++i) driver_->check_in(session_driver::member_id(i));
  ASSERT_NO_FATAL_FAILURE(stop_server());
  const auto backup = temp_.path() / "backup";
  fs::copy(data_dir(), backup, fs::copy_options::recursive);
  const std::uint16_t port = port_;
  ASSERT_NO_FATAL_FAILURE(start_server(port));

  auto follower = start_verify(follow_args());
  driver_->check_in("m04");
  driver_->check_in("m05");
  const std::size_t seen = driver_->chain_lines().size();
  ASSERT_TRUE(eventually([&] { return line_count(mirror_dir() / "chain.jsonl") == seen; }, verify_timeout))
      << follower->errors();

  ASSERT_NO_FATAL_FAILURE(stop_server());
  fs::remove_all(data_dir());
  fs::copy(backup, data_dir(), fs::copy_options::recursive);
  ASSERT_NO_FATAL_FAILURE(start_server(port));
  driver_->check_in("m05");  // the other order: other lines at the seqs the follower holds
  driver_->check_in("m04");

  const auto code = follower->wait_exit(verify_timeout);
  ASSERT_EQ(code, 3) << follower->output() << follower->errors();
  EXPECT_NE(follower->output().find("✗ FORK"), std::string::npos) << follower->output();
  const auto evidence_file = mirror_dir() / "fork-evidence.json";
  const auto evidence = verify::parse_fork_evidence(read_whole_file(evidence_file));
  ASSERT_TRUE(evidence.ok()) << read_whole_file(evidence_file);
  EXPECT_TRUE(verify::check_fork_evidence(*evidence).ok()) << core::describe(verify::check_fork_evidence(*evidence).error());
  EXPECT_EQ(evidence->first.head.seq, seen - 1);
  EXPECT_EQ(evidence->second.head.seq, seen - 1);
  EXPECT_NE(evidence->first.head.hash, evidence->second.head.hash);
  // Both heads verify with the server key of the genesis both histories share.
  const auto genesis = std::get<core::genesis_body>(core::decode(evidence->genesis).value().body);
  const auto session = crypto::line_hash(evidence->genesis);
  EXPECT_EQ(crypto::to_hex(session), driver_->session());
  for (const auto* r : {&evidence->first, &evidence->second}) {
    EXPECT_TRUE(crypto::verify_head(genesis.server_key, session, r->head.seq, r->head.hash, r->head.sig).ok());
    ASSERT_TRUE(r->line.has_value());
    EXPECT_EQ(crypto::line_hash(*r->line), r->head.hash);
  }
  // The first is what the mirror holds, the second what the server serves now.
  const auto mirrored = verify::split_lines(read_whole_file(mirror_dir() / "chain.jsonl")).value();
  EXPECT_EQ(mirrored.size(), seen);
  EXPECT_EQ(*evidence->first.line, mirrored.back());
  EXPECT_EQ(*evidence->second.line, driver_->chain_lines().at(seen - 1));

  // Anyone can check the file; the mirror refuses to go on past it.
  const auto check = run_verify({"--check-evidence", evidence_file.string(), "--lang", "en"});
  EXPECT_EQ(check.exit, 0) << check.out << check.err;
  const auto again = run_verify(follow_args());
  EXPECT_EQ(again.exit, 3) << again.out << again.err;
  EXPECT_NE(again.err.find("fork-evidence.json exists"), std::string::npos) << again.err;
}

// A private CA (ca.pem) and a certificate it signed for 127.0.0.1 (cert.pem, key.pem) in `dir`:
// what a hall running its own CA gives its server.
void make_private_ca(const fs::path& dir) {
  const auto run = [](const std::string& command) { return std::system((command + " >/dev/null 2>&1").c_str()); };
  const std::string ec = " -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes";
  {
    std::ofstream ext(dir / "ext.cnf");
    ext << "subjectAltName=IP:127.0.0.1\n";
  }
  ASSERT_EQ(run("openssl req -x509" + ec + " -keyout " + (dir / "ca.key").string() + " -out " +
                (dir / "ca.pem").string() + " -days 1 -subj /CN=pingyi-test-ca"),
            0);
  ASSERT_EQ(run("openssl req" + ec + " -keyout " + (dir / "key.pem").string() + " -out " + (dir / "req.csr").string() +
                " -subj /CN=127.0.0.1"),
            0);
  ASSERT_EQ(run("openssl x509 -req -in " + (dir / "req.csr").string() + " -CA " + (dir / "ca.pem").string() +
                " -CAkey " + (dir / "ca.key").string() + " -CAcreateserial -days 1 -out " +
                (dir / "cert.pem").string() + " -extfile " + (dir / "ext.cnf").string()),
            0);
}

// The whole flow over TLS on loopback: a session created over https, tablets and the chair on
// wss, ballots cast over https, the result, the adjournment; pingyi-verify follows it over wss
// checking the certificate against the hall's CA, and verifies it.
TEST_F(VerifyRemote, AWholeSessionOverTlsIsFollowedAndVerifiedAgainstTheHallsCa) {
  const auto dir = temp_.path();
  ASSERT_NO_FATAL_FAILURE(make_private_ca(dir));
  ASSERT_NO_FATAL_FAILURE(
      start_server(0, {"--tls-cert", (dir / "cert.pem").string(), "--tls-key", (dir / "key.pem").string()}));
  const std::string https = "https://127.0.0.1:" + std::to_string(port_);
  std::string token = read_whole_file(data_dir() / "admin-token");
  while (!token.empty() && token.back() == '\n') token.pop_back();
  pingyi::test::tls_session_driver tls(port_, token);
  tls.create();
  for (std::size_t i = 1; i <= 4; ++i) tls.check_in(session_driver::member_id(i));

  auto follower = start_verify({"--url", https, "--session", tls.session(), "--cacert", (dir / "ca.pem").string(),
                                "--follow", "--mirror", mirror_dir().string(), "--lang", "en"});
  tls.chair("seal_key");
  tls.chair("open_round", 1u);
  for (std::size_t i = 1; i <= 3; ++i) tls.vote(session_driver::member_id(i), 1, i);
  tls.chair("close_round", 1u);
  tls.wait_for_record("result", 1);
  tls.chair("reveal", 1u);
  tls.chair("adjourn");

  const auto followed = follower->wait_exit(verify_timeout);
  ASSERT_EQ(followed, 0) << follower->output() << follower->errors();
  EXPECT_NE(follower->output().find("满意 1  基本满意 1  不满意 1"), std::string::npos) << follower->output();
  EXPECT_EQ(read_whole_file(mirror_dir() / "chain.jsonl"), tls.chain_text());

  const auto checked = run_verify({"--url", https, "--session", tls.session(), "--cacert", (dir / "ca.pem").string(),
                                   "--lang", "en"});
  EXPECT_EQ(checked.exit, 0) << checked.out << checked.err;
  EXPECT_NE(checked.out.find("verdict: ✓ everything verified"), std::string::npos) << checked.out;
}

TEST_F(VerifyRemote, HttpsIsVerifiedAgainstTheGivenCa) {
  const auto dir = temp_.path();
  ASSERT_NO_FATAL_FAILURE(make_private_ca(dir));
  ASSERT_NO_FATAL_FAILURE(
      start_server(0, {"--tls-cert", (dir / "cert.pem").string(), "--tls-key", (dir / "key.pem").string()}));
  const std::string https = "https://127.0.0.1:" + std::to_string(port_);
  std::string token = read_whole_file(data_dir() / "admin-token");
  while (!token.empty() && token.back() == '\n') token.pop_back();
  json body = {{"title", "TLS"}, {"committee", "c"}, {"date", "2026-11-23"},
               {"members", json::array({{{"id", "m01"}, {"name", "n"}, {"seat", "1"}}})}};
  const auto created = pingyi::test::https_call(port_, "POST", "/api/sessions", body.dump(),
                                                {{"Authorization", "Bearer " + token}, {"Content-Type", "application/json"}});
  ASSERT_EQ(created.status, 200u) << created.body;
  const std::string session = json::parse(created.body)["session"].get<std::string>();

  const auto trusted = run_verify({"--url", https, "--session", session, "--cacert", (dir / "ca.pem").string(), "--lang", "en"});
  EXPECT_EQ(trusted.exit, 0) << trusted.out << trusted.err;
  EXPECT_NE(trusted.out.find("verdict: ✓ everything verified"), std::string::npos) << trusted.out;

  const auto untrusted = run_verify({"--url", https, "--session", session});
  EXPECT_EQ(untrusted.exit, 2) << untrusted.out << untrusted.err;
  EXPECT_NE(untrusted.err.find("certificate verify failed"), std::string::npos) << untrusted.err;
  EXPECT_TRUE(untrusted.out.empty()) << untrusted.out;

  // The name checked too: the CA signed this certificate for 127.0.0.1, not for localhost.
  const auto wrong_name =
      run_verify({"--url", "https://localhost:" + std::to_string(port_), "--session", session, "--cacert",
                  (dir / "ca.pem").string()});
  EXPECT_EQ(wrong_name.exit, 2) << wrong_name.out << wrong_name.err;
  EXPECT_NE(wrong_name.err.find("certificate verify failed"), std::string::npos) << wrong_name.err;
}

}  // namespace
