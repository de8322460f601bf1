// Whole sessions against the real pingyi-server binary over loopback sockets: members, scrutineers
// and the chair on /ws, anonymous ballots over POST …/ballots on fresh connections, an observer on
// /observe, the chain export verified with pingyi-verify's check_chain; a SIGKILL mid-round and a
// restart on the same data directory; and a table of hostile inputs that must change nothing.
// Every wait is bounded; the server is SIGKILLed in teardown if still running.
// clang-format off
#include <utility>  // first: Boost 1.74's Asio (test_client.hpp) needs it before its awaitable header
// clang-format on

#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <sstream>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>
#include <vector>

#include "chain_check.hpp"
#include "pingyi/core/record.hpp"
#include "pingyi/core/session_state.hpp"
#include "pingyi/crypto/ballot.hpp"
#include "pingyi/crypto/chain.hpp"
#include "pingyi/crypto/decryption.hpp"
#include "pingyi/crypto/device.hpp"
#include "pingyi/crypto/init.hpp"
#include "pingyi/crypto/token.hpp"
#include "pingyi/crypto/trustee.hpp"
#include "../support/client_json.hpp"
#include "../unit/store/temp_directory.hpp"
#include "test_client.hpp"

extern char** environ;

namespace {

namespace fs = std::filesystem;
using json = nlohmann::ordered_json;
using pingyi::test::ballot_json;
using pingyi::test::contest_json;
using pingyi::test::proof_json;
using clock_type = std::chrono::steady_clock;
using namespace std::chrono_literals;
namespace crypto = pingyi::crypto;
namespace core = pingyi::core;

constexpr auto start_timeout = 20s;
constexpr auto wait_timeout = 10s;

std::string cat(std::initializer_list<std::string_view> parts) {
  std::string s;
  for (auto p : parts) s.append(p);
  return s;
}

using pingyi::store::test::temp_directory;

std::string read_text(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// One pingyi-server child on 127.0.0.1:0; SIGKILLed in the destructor if still running.
class server_process {
 public:
  server_process(const fs::path& data_dir, const fs::path& stderr_file, const std::string& log_level = "warn")
      : stderr_file_(stderr_file) {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe");
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, stderr_file_.c_str(), O_WRONLY | O_CREAT | O_APPEND,
                                     0600);
    std::vector<std::string> args{PINGYI_SERVER_BINARY, "--listen",  "127.0.0.1:0", "--data-dir", data_dir.string(),
                                  "--threads",          "2",         "--workers",   "2",          "--log-level",
                                  log_level};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    const int rc = ::posix_spawn(&pid_, PINGYI_SERVER_BINARY, &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    ::close(fds[1]);
    if (rc != 0) {
      ::close(fds[0]);
      throw std::runtime_error(std::string("posix_spawn: ").append(std::strerror(rc)));
    }
    out_ = fds[0];
  }
  server_process(const server_process&) = delete;
  server_process& operator=(const server_process&) = delete;
  ~server_process() {
    kill();
    if (out_ >= 0) ::close(out_);
  }

  void kill() {
    if (pid_ > 0 && !reaped_) {
      ::kill(pid_, SIGKILL);
      int status = 0;
      ::waitpid(pid_, &status, 0);
      reaped_ = true;
    }
  }

  std::optional<std::uint16_t> wait_listening() {
    static constexpr std::string_view prefix = "listening on http://127.0.0.1:";
    const auto deadline = clock_type::now() + start_timeout;
    char buf[4096];
    for (;;) {
      const auto at = output_.find(prefix);
      if (at != std::string::npos) {
        const auto end = output_.find('\n', at);
        if (end != std::string::npos) {
          const std::string digits = output_.substr(at + prefix.size(), end - at - prefix.size());
          if (digits.empty() || digits.size() > 5 || digits.find_first_not_of("0123456789") != std::string::npos)
            return std::nullopt;
          return static_cast<std::uint16_t>(std::stoi(digits));
        }
      }
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock_type::now()).count();
      if (left <= 0) return std::nullopt;
      pollfd p{out_, POLLIN, 0};
      const int r = ::poll(&p, 1, static_cast<int>(left));
      if (r < 0 && errno == EINTR) continue;
      if (r <= 0) return std::nullopt;
      const ssize_t n = ::read(out_, buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return std::nullopt;
      output_.append(buf, static_cast<std::size_t>(n));
    }
  }

  [[nodiscard]] std::string errors() const { return read_text(stderr_file_); }

 private:
  pid_t pid_ = -1;
  int out_ = -1;
  bool reaped_ = false;
  std::string output_;
  fs::path stderr_file_;
};

const std::vector<std::string> member_ids = {"m01", "m02", "m03", "m04", "m05"};

// Five members, m01 and m02 scrutineers, an evaluation round (two targets) and a motion.
json session_request_json() {
  json members = json::array();
  const std::vector<std::string> names = {"张伟", "王芳", "李娜", "刘洋", "陈静"};
  for (std::size_t i = 0; i < member_ids.size(); ++i) {
    json m = json::object();
    m["id"] = member_ids[i];
    m["name"] = names[i];
    m["seat"] = std::to_string(i + 1);
    members.push_back(std::move(m));
  }
  json evaluation = json::object();
  evaluation["title"] = "满意度测评";
  evaluation["kind"] = "evaluation";
  evaluation["contests"] = json::array({contest_json("d1", "县教育局", {"满意", "基本满意", "不满意"}, 1, 1),
                                        contest_json("d2", "县卫生健康局", {"满意", "基本满意", "不满意"}, 1, 1)});
  evaluation["rule"] = json::object();
  json motion = json::object();
  motion["title"] = "表决";
  motion["kind"] = "motion";
  motion["contests"] = json::array({contest_json("m1", "议案", {"赞成", "反对", "弃权"}, 1, 1)});
  json body = json::object();
  body["title"] = "某县人大常委会2026年第十一次会议";
  body["committee"] = "某县人民代表大会常务委员会";
  body["date"] = "2026-11-23";
  body["members"] = std::move(members);
  body["scrutineers"] = json::array({"m01", "m02"});
  body["rounds"] = json::array({evaluation, motion});
  json quorum = json::object();
  quorum["num"] = 1;
  quorum["den"] = 2;
  body["quorum"] = std::move(quorum);
  return body;
}

std::string type_of_line(const std::string& line) {
  const json j = json::parse(line, nullptr, false);
  return j.is_object() ? j.value("type", "") : "";
}

std::string error_code_of(const json& reply) {
  if (!reply.is_object()) return "NOT-JSON";
  if (reply.value("ok", false)) return "OK";
  if (!reply.contains("error") || !reply["error"].is_object()) return "NO-ERROR";
  return reply["error"].value("code", "");
}

// ---- a WebSocket connection: requests with ids, pushes kept in order ----------------------------

class connection {
 public:
  connection(std::uint16_t port, const std::string& target)
      : ws_(std::make_unique<pingyi::test::ws_client>(port, target)) {}

  // Sends text as it is and returns the first reply (a message with "id"), keeping pushes.
  json send_raw(const std::string& text) {
    if (!ws_->send(text)) throw std::runtime_error("ws send failed");
    return next_reply();
  }

  json request(json body) {
    json message = json::object();
    message["id"] = next_id_++;
    for (auto it = body.begin(); it != body.end(); ++it) message[it.key()] = it.value();
    if (!ws_->send(message.dump())) throw std::runtime_error("ws send failed");
    for (;;) {
      json reply = next_reply();
      if (reply["id"] == message["id"]) return reply;
    }
  }

  // The nth pushed record (1, 2 …) whose type is `type`, waiting for it.
  json wait_record(const std::string& type, std::size_t nth = 1) {
    const auto deadline = clock_type::now() + wait_timeout;
    for (;;) {
      std::size_t seen = 0;
      for (const auto& p : pushes_) {
        if (p.value("type", "") == "record" && type_of_line(p["line"].get<std::string>()) == type && ++seen == nth)
          return p;
      }
      if (!pull(deadline)) throw std::runtime_error(cat({"no ", type, " record was pushed"}));
    }
  }

  // Waits until `count` record pushes have arrived.
  bool wait_records(std::size_t count) {
    const auto deadline = clock_type::now() + wait_timeout;
    while (records().size() < count) {
      if (!pull(deadline)) return false;
    }
    return true;
  }

  [[nodiscard]] std::vector<json> records() const {
    std::vector<json> out;
    for (const auto& p : pushes_)
      if (p.value("type", "") == "record") out.push_back(p);
    return out;
  }

  pingyi::test::ws_client& ws() { return *ws_; }

 private:
  json next_reply() {
    const auto deadline = clock_type::now() + wait_timeout;
    for (;;) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock_type::now());
      if (left <= 0ms) throw std::runtime_error("no ws reply in time");
      auto text = ws_->receive(left);
      if (!text) throw std::runtime_error("no ws reply (timeout or closed)");
      json m = json::parse(*text, nullptr, false);
      if (m.is_object() && m.contains("id")) return m;
      pushes_.push_back(std::move(m));
    }
  }

  // Reads one more message before the deadline; false when none came.
  bool pull(clock_type::time_point deadline) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock_type::now());
    if (left <= 0ms) return false;
    auto text = ws_->receive(left);
    if (!text) return false;
    json m = json::parse(*text, nullptr, false);
    if (!(m.is_object() && m.contains("id"))) pushes_.push_back(std::move(m));
    return true;
  }

  std::unique_ptr<pingyi::test::ws_client> ws_;
  std::vector<json> pushes_;
  std::int64_t next_id_ = 1;
};

struct tablet {
  std::string member;
  std::string code;
  crypto::signing_key device = crypto::signing_key::generate(crypto::os_random());
  std::string device_secret;
  std::unique_ptr<connection> conn;
};

struct voter {
  crypto::signing_key ske;
  crypto::point token;
};

// ---- the fixture: a server process and a session driven over sockets ---------------------------

class ServerSession : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(crypto::init());
    start_server();
  }

  void start_server(const std::string& log_level = "warn") {
    server_.reset();
    server_ = std::make_unique<server_process>(temp_.path() / "data", temp_.path() / "server.stderr", log_level);
    const auto port = server_->wait_listening();
    if (!port) throw std::runtime_error(cat({"server did not start: ", server_->errors()}));
    port_ = *port;
    token_ = read_text(temp_.path() / "data" / "admin-token");
    while (!token_.empty() && (token_.back() == '\n' || token_.back() == '\r')) token_.pop_back();
  }

  void kill_server() { server_->kill(); }

  pingyi::test::http_result http(std::string_view method, std::string_view target, std::string_view body = {},
                                 const pingyi::test::header_list& headers = {}) {
    return pingyi::test::http_call(port_, method, target, body, headers, 10s);
  }
  pingyi::test::header_list admin_headers() const {
    return {{"Authorization", cat({"Bearer ", token_})}, {"Content-Type", "application/json"}};
  }

  void create_session() {
    const auto r = http("POST", "/api/sessions", session_request_json().dump(), admin_headers());
    ASSERT_EQ(r.status, 200u) << r.body;
    const json created = json::parse(r.body);
    hex_ = created["session"].get<std::string>();
    sid_ = crypto::from_hex_fixed<32>(hex_).value();
    chair_code_ = created["chair_code"].get<std::string>();
    for (const auto& m : member_ids) tablets_[m].code = created["codes"][m].get<std::string>();
  }

  std::string path(std::string_view what) const { return cat({"/api/sessions/", hex_, "/", what}); }

  std::vector<std::string> chain_lines() {
    const auto r = http("GET", path("chain"));
    if (r.status != 200) throw std::runtime_error("chain: " + r.body);
    auto lines = pingyi::verify::split_lines(r.body);
    if (!lines) return {};
    return lines.value();
  }

  json head() {
    const auto r = http("GET", path("head"));
    return json::parse(r.body, nullptr, false);
  }

  template <class Body>
  std::optional<std::pair<Body, crypto::chain_hash>> last_record_of() {
    std::optional<std::pair<Body, crypto::chain_hash>> found;
    for (const auto& l : chain_lines()) {
      auto rec = core::decode(l).value();
      if (auto* b = std::get_if<Body>(&rec.body)) found.emplace(*b, crypto::line_hash(l));
    }
    return found;
  }

  crypto::point token_key() { return last_record_of<core::genesis_body>()->first.token_key; }
  crypto::verify_key server_key() { return last_record_of<core::genesis_body>()->first.server_key; }
  crypto::point election_key() { return last_record_of<core::election_key_body>()->first.key; }
  std::vector<crypto::contest_spec> specs(std::uint32_t round) {
    for (const auto& l : chain_lines()) {
      auto rec = core::decode(l).value();
      if (const auto* r = std::get_if<core::round_body>(&rec.body); r != nullptr && r->round == round)
        return core::specs_of(*r);
    }
    throw std::runtime_error("no such round");
  }

  json hello_with_code(connection& c, const std::string& member, const std::string& code,
                       const crypto::signing_key& device) {
    json h = json::object();
    h["type"] = "hello";
    h["session"] = hex_;
    h["code"] = code;
    h["device_key"] = device.public_key().hex();
    h["sig"] = crypto::sign_checkin(device, sid_, member).hex();
    return c.request(h);
  }

  void check_in(const std::string& member) {
    auto& t = tablets_[member];
    t.member = member;
    t.conn = std::make_unique<connection>(port_, "/ws");
    const json reply = hello_with_code(*t.conn, member, t.code, t.device);
    ASSERT_TRUE(reply.value("ok", false)) << reply.dump();
    t.device_secret = reply["device"].get<std::string>();
  }

  // A tablet reconnecting with its device secret.
  void reconnect(const std::string& member) {
    auto& t = tablets_[member];
    t.conn = std::make_unique<connection>(port_, "/ws");
    json h = json::object();
    h["type"] = "hello";
    h["session"] = hex_;
    h["device"] = t.device_secret;
    const json reply = t.conn->request(h);
    ASSERT_TRUE(reply.value("ok", false)) << reply.dump();
    EXPECT_EQ(reply.value("member", ""), member);
    t.device_secret = reply["device"].get<std::string>();
  }

  connection& chair() {
    if (!chair_) {
      chair_ = std::make_unique<connection>(port_, "/ws");
      json h = json::object();
      h["type"] = "hello";
      h["session"] = hex_;
      h["code"] = chair_code_;
      const json reply = chair_->request(h);
      if (reply.value("role", "") != "chair") throw std::runtime_error(cat({"chair hello: ", reply.dump()}));
    }
    return *chair_;
  }

  json chair_request(const char* type, std::optional<std::uint32_t> round = std::nullopt) {
    json r = json::object();
    r["type"] = type;
    if (round) r["round"] = *round;
    return chair().request(r);
  }

  void publish_trustee_key(const std::string& member) {
    const std::string code = crypto::generate_recovery_code(crypto::os_random());
    auto key = crypto::trustee_key_from_code(sid_, code);
    ASSERT_TRUE(key.ok());
    trustees_.insert_or_assign(member, key.value());
    json r = json::object();
    r["type"] = "trustee_key";
    r["key"] = key.value().key.hex();
    r["proof"] = proof_json(crypto::prove_trustee_key(sid_, member, key.value(), crypto::os_random()));
    const json reply = tablets_[member].conn->request(r);
    ASSERT_TRUE(reply.value("ok", false)) << reply.dump();
  }

  // Everyone checks in, the scrutineers publish keys, the chair seals and opens round 1.
  void open_session_round1() {
    create_session();
    for (const auto& m : member_ids) ASSERT_NO_FATAL_FAILURE(check_in(m));
    ASSERT_NO_FATAL_FAILURE(publish_trustee_key("m01"));
    ASSERT_NO_FATAL_FAILURE(publish_trustee_key("m02"));
    json reply = chair_request("seal_key");
    ASSERT_TRUE(reply.value("ok", false)) << reply.dump();
    reply = chair_request("open_round", 1u);
    ASSERT_TRUE(reply.value("ok", false)) << reply.dump();
  }

  json token_request(const std::string& member, std::uint32_t round, const crypto::point& blinded) {
    json r = json::object();
    r["type"] = "token";
    r["round"] = round;
    r["blinded"] = blinded.hex();
    r["request_sig"] = crypto::sign_token_request(tablets_[member].device, sid_, round, blinded).hex();
    return tablets_[member].conn->request(r);
  }

  voter take_token(const std::string& member, std::uint32_t round) {
    voter v{crypto::signing_key::generate(crypto::os_random()), crypto::point{}};
    const auto blinded = crypto::blind_token(sid_, round, v.ske.public_key(), crypto::os_random()).value();
    const json reply = token_request(member, round, blinded.element);
    if (!reply.value("ok", false)) throw std::runtime_error(cat({"token: ", reply.dump()}));
    const auto evaluated = crypto::point::from_hex(reply["evaluated"].get<std::string>()).value();
    const crypto::proof p{crypto::scalar::from_hex(reply["proof"]["c"].get<std::string>()).value(),
                          crypto::scalar::from_hex(reply["proof"]["s"].get<std::string>()).value()};
    v.token = crypto::unblind_token(token_key(), blinded, evaluated, p).value();
    return v;
  }

  crypto::ballot build(const voter& v, std::uint32_t round, const crypto::ballot_choices& choices) {
    return crypto::build_ballot(sid_, round, v.ske, v.token, election_key(), specs(round), choices,
                                crypto::os_random())
        .value();
  }

  // Anonymous: a fresh HTTP connection, no credential.
  pingyi::test::http_result cast_raw(const std::string& body) {
    return http("POST", path("ballots"), body, {{"Content-Type", "application/json"}});
  }
  json cast(const crypto::ballot& b) {
    const auto r = cast_raw(ballot_json(b).dump());
    json j = json::parse(r.body, nullptr, false);
    if (j.is_object()) j["_status"] = r.status;
    return j;
  }

  json declare(const std::string& member, std::uint32_t round) {
    json r = json::object();
    r["type"] = "voted";
    r["round"] = round;
    r["sig"] = crypto::sign_voted(tablets_[member].device, sid_, round).hex();
    return tablets_[member].conn->request(r);
  }

  // A scrutineer's console: shares of the sums of the round_closed record it received as a push.
  json decrypt(const std::string& member, std::uint32_t round) {
    auto& c = *tablets_[member].conn;
    const json push = c.wait_record("round_closed");
    const std::string line = push["line"].get<std::string>();
    const auto closed_hash = crypto::line_hash(line);
    const auto rec = core::decode(line).value();
    const auto& closed = std::get<core::round_closed_body>(rec.body);
    EXPECT_EQ(closed.round, round);
    json shares = json::array();
    for (const auto& sums : closed.sums) {
      json contest = json::object();
      contest["id"] = sums.id;
      json options = json::array();
      for (std::size_t i = 0; i < sums.options.size(); ++i) {
        const crypto::share_context ctx{sid_, closed_hash, round, sums.id, static_cast<std::uint16_t>(i), member};
        const auto share = crypto::make_share(ctx, trustees_.at(member), sums.options[i].alpha, crypto::os_random());
        json o = json::object();
        o["share"] = share.share.hex();
        o["proof"] = proof_json(share.dleq);
        options.push_back(std::move(o));
      }
      contest["options"] = std::move(options);
      shares.push_back(std::move(contest));
    }
    json r = json::object();
    r["type"] = "decryption";
    r["round"] = round;
    r["shares"] = std::move(shares);
    return c.request(r);
  }

  // Member i's choices in round 1: d1 option i % 3, d2 option (i + 1) % 3.
  static crypto::ballot_choices choices_of(std::size_t i) {
    crypto::ballot_choices c(2, std::vector<std::uint8_t>(3, 0));
    c[0][i % 3] = 1;
    c[1][(i + 1) % 3] = 1;
    return c;
  }

  // Closes round 1, both scrutineers decrypt, and checks the pushed result against the choices.
  json close_decrypt_and_check_result(std::size_t voters) {
    json reply = chair_request("close_round", 1u);
    EXPECT_TRUE(reply.value("ok", false)) << reply.dump();
    for (const char* s : {"m01", "m02"}) {
      reply = decrypt(s, 1);
      EXPECT_TRUE(reply.value("ok", false)) << s << ": " << reply.dump();
    }
    const json result_push = chair().wait_record("result");
    const json result = json::parse(result_push["line"].get<std::string>());
    EXPECT_EQ(result["round"], 1);
    EXPECT_EQ(result["ballots"], voters);
    EXPECT_EQ(result["undeclared"], 0);
    std::vector<std::vector<unsigned>> expected(2, std::vector<unsigned>(3, 0));
    for (std::size_t i = 0; i < voters; ++i) {
      const auto c = choices_of(i);
      for (std::size_t k = 0; k < 2; ++k)
        for (std::size_t o = 0; o < 3; ++o) expected[k][o] += c[k][o];
    }
    EXPECT_EQ(result["contests"].size(), 2u);
    for (std::size_t k = 0; k < 2 && k < result["contests"].size(); ++k) {
      EXPECT_EQ(result["contests"][k]["counts"].get<std::vector<unsigned>>(), expected[k]) << result.dump();
    }
    return result_push;
  }

  temp_directory temp_;
  std::unique_ptr<server_process> server_;
  std::uint16_t port_ = 0;
  std::string token_;
  std::string hex_;
  crypto::session_id sid_{};
  std::string chair_code_;
  std::map<std::string, tablet> tablets_;
  std::map<std::string, crypto::trustee_key> trustees_;
  std::unique_ptr<connection> chair_;
};

TEST_F(ServerSession, WholeSessionOverSocketsGivesTheResultsOfTheBallotsCast) {
  ASSERT_NO_FATAL_FAILURE(create_session());
  connection observer(port_, cat({"/observe?session=", hex_, "&from=0"}));

  for (const auto& m : member_ids) ASSERT_NO_FATAL_FAILURE(check_in(m));
  ASSERT_NO_FATAL_FAILURE(publish_trustee_key("m01"));
  ASSERT_NO_FATAL_FAILURE(publish_trustee_key("m02"));
  json reply = chair_request("seal_key");
  ASSERT_TRUE(reply.value("ok", false)) << reply.dump();
  reply = chair_request("open_round", 1u);
  ASSERT_TRUE(reply.value("ok", false)) << reply.dump();

  const auto key = server_key();
  std::vector<json> receipts;
  for (std::size_t i = 0; i < member_ids.size(); ++i) {
    const voter v = take_token(member_ids[i], 1);
    const json cast_reply = cast(build(v, 1, choices_of(i)));
    ASSERT_EQ(cast_reply.value("_status", 0u), 200u) << cast_reply.dump();
    const json& receipt = cast_reply["receipt"];
    const auto hash = crypto::from_hex_fixed<32>(receipt["hash"].get<std::string>()).value();
    const auto sig = crypto::signature::from_hex(receipt["sig"].get<std::string>()).value();
    EXPECT_TRUE(crypto::verify_head(key, sid_, receipt["seq"].get<std::uint64_t>(), hash, sig).ok());
    receipts.push_back(receipt);
    reply = declare(member_ids[i], 1);
    EXPECT_TRUE(reply.value("ok", false)) << reply.dump();
  }

  const json result_push = close_decrypt_and_check_result(member_ids.size());
  reply = chair_request("reveal", 1u);
  EXPECT_TRUE(reply.value("ok", false)) << reply.dump();

  // The export verifies end to end, and holds the pushed result and every receipt.
  const auto lines = chain_lines();
  const auto checked = pingyi::verify::check_chain(lines, 2);
  EXPECT_FALSE(checked.failure.has_value())
      << (checked.failure ? cat({std::to_string(checked.failure->seq), " ", checked.failure->type, ": ",
                                 core::describe(checked.failure->error)})
                          : std::string());
  EXPECT_EQ(checked.lines, lines.size());
  const auto result_seq = result_push["seq"].get<std::size_t>();
  ASSERT_LT(result_seq, lines.size());
  EXPECT_EQ(lines[result_seq], result_push["line"].get<std::string>());
  std::size_t results_on_chain = 0;
  for (const auto& l : lines) results_on_chain += type_of_line(l) == "result" ? 1 : 0;
  EXPECT_EQ(results_on_chain, 1u);
  for (const auto& r : receipts) {
    const auto seq = r["seq"].get<std::size_t>();
    ASSERT_LT(seq, lines.size());
    EXPECT_EQ(crypto::to_hex(crypto::line_hash(lines[seq])), r["hash"].get<std::string>());
    EXPECT_EQ(type_of_line(lines[seq]), "ballot");
  }
  EXPECT_EQ(type_of_line(lines.back()), "revealed");

  // The observer from 0 received every record, in order, each with a valid signed head.
  ASSERT_TRUE(observer.wait_records(lines.size())) << observer.records().size() << " of " << lines.size();
  const auto records = observer.records();
  ASSERT_EQ(records.size(), lines.size());
  for (std::size_t i = 0; i < records.size(); ++i) {
    EXPECT_EQ(records[i]["seq"].get<std::size_t>(), i);
    const std::string line = records[i]["line"].get<std::string>();
    EXPECT_EQ(line, lines[i]) << "seq " << i;
    const auto sig = crypto::signature::from_hex(records[i]["sig"].get<std::string>());
    ASSERT_TRUE(sig.ok());
    EXPECT_TRUE(crypto::verify_head(key, sid_, i, crypto::line_hash(line), sig.value()).ok()) << "seq " << i;
  }
}

TEST_F(ServerSession, IdenticalRecastGetsTheSameReceipt) {
  ASSERT_NO_FATAL_FAILURE(open_session_round1());
  const voter v = take_token("m03", 1);
  const std::string body = ballot_json(build(v, 1, choices_of(0))).dump();
  const auto first = cast_raw(body);
  ASSERT_EQ(first.status, 200u) << first.body;
  const json h1 = head();
  const auto again = cast_raw(body);
  ASSERT_EQ(again.status, 200u) << again.body;
  EXPECT_EQ(json::parse(again.body)["receipt"], json::parse(first.body)["receipt"]);
  EXPECT_EQ(head(), h1) << "the identical ballot again appends nothing";
  std::size_t ballots = 0;
  for (const auto& l : chain_lines()) ballots += type_of_line(l) == "ballot" ? 1 : 0;
  EXPECT_EQ(ballots, 1u);
}

TEST_F(ServerSession, DifferentBallotWithTheSameVkIsTokenSpent) {
  ASSERT_NO_FATAL_FAILURE(open_session_round1());
  const voter v = take_token("m03", 1);
  const auto first = cast_raw(ballot_json(build(v, 1, choices_of(0))).dump());
  ASSERT_EQ(first.status, 200u) << first.body;
  const json h1 = head();
  // Other choices, and also the same choices re-encrypted: both are a different ballot.
  for (std::size_t choice : {1u, 0u}) {
    const auto second = cast_raw(ballot_json(build(v, 1, choices_of(choice))).dump());
    EXPECT_EQ(second.status, 409u) << second.body;
    EXPECT_EQ(error_code_of(json::parse(second.body, nullptr, false)), "TOKEN_SPENT") << second.body;
    EXPECT_EQ(head(), h1);
  }
}

TEST_F(ServerSession, ServerKilledMidRoundLosesNothingAcknowledged) {
  ASSERT_NO_FATAL_FAILURE(open_session_round1());
  const auto key = server_key();
  std::vector<json> receipts;
  for (std::size_t i = 0; i < 3; ++i) {
    const voter v = take_token(member_ids[i], 1);
    const json r = cast(build(v, 1, choices_of(i)));
    ASSERT_EQ(r.value("_status", 0u), 200u) << r.dump();
    receipts.push_back(r["receipt"]);
    const json d = declare(member_ids[i], 1);
    ASSERT_TRUE(d.value("ok", false)) << d.dump();
  }
  // m04 holds a token but has not cast yet.
  const voter pending = take_token("m04", 1);

  kill_server();
  chair_.reset();
  for (auto& [m, t] : tablets_) t.conn.reset();
  ASSERT_NO_FATAL_FAILURE(start_server());

  const auto lines = chain_lines();
  for (const auto& r : receipts) {
    const auto seq = r["seq"].get<std::size_t>();
    ASSERT_LT(seq, lines.size()) << "receipt " << r.dump() << " lost in the crash";
    EXPECT_EQ(crypto::to_hex(crypto::line_hash(lines[seq])), r["hash"].get<std::string>());
    const auto sig = crypto::signature::from_hex(r["sig"].get<std::string>()).value();
    EXPECT_TRUE(crypto::verify_head(key, sid_, seq, crypto::line_hash(lines[seq]), sig).ok());
  }
  const auto checked = pingyi::verify::check_chain(lines, 2);
  EXPECT_FALSE(checked.failure.has_value());

  for (const auto& m : member_ids) ASSERT_NO_FATAL_FAILURE(reconnect(m));
  // The token issued before the crash still casts; m05 takes one after it.
  json r = cast(build(pending, 1, choices_of(3)));
  ASSERT_EQ(r.value("_status", 0u), 200u) << r.dump();
  json d = declare("m04", 1);
  EXPECT_TRUE(d.value("ok", false)) << d.dump();
  const voter late = take_token("m05", 1);
  r = cast(build(late, 1, choices_of(4)));
  ASSERT_EQ(r.value("_status", 0u), 200u) << r.dump();
  d = declare("m05", 1);
  EXPECT_TRUE(d.value("ok", false)) << d.dump();

  close_decrypt_and_check_result(member_ids.size());
  const auto after = chain_lines();
  EXPECT_FALSE(pingyi::verify::check_chain(after, 2).failure.has_value());
  for (std::size_t i = 0; i < lines.size(); ++i) EXPECT_EQ(after[i], lines[i]) << "seq " << i;
}

TEST_F(ServerSession, HostileInputIsRefusedAndChangesNothing) {
  ASSERT_NO_FATAL_FAILURE(open_session_round1());
  const voter v = take_token("m03", 1);
  const json good = ballot_json(build(v, 1, choices_of(0)));
  const std::string zeros(64, '0');
  const std::string all_ff(64, 'f');

  // A well-formed ballot whose token is not skT·T for its vk.
  const voter forged{crypto::signing_key::generate(crypto::os_random()), election_key()};
  const json forged_ballot = ballot_json(build(forged, 1, choices_of(1)));

  struct http_case {
    std::string name;
    std::string method;
    std::string target;
    std::string body;
    pingyi::test::header_list headers;
    unsigned status;
    std::string code;
  };
  const pingyi::test::header_list ct{{"Content-Type", "application/json"}};
  auto mutated = [&](const std::function<void(json&)>& change) {
    json b = good;
    change(b);
    return b.dump();
  };
  const std::string ballots = path("ballots");
  std::vector<http_case> http_cases = {
      {"malformed JSON", "POST", ballots, R"({"round":1,"vk":)", ct, 400, "BAD_REQUEST"},
      {"not an object", "POST", ballots, "[1,2,3]", ct, 400, "BAD_REQUEST"},
      {"round as a string", "POST", ballots, mutated([](json& b) { b["round"] = "1"; }), ct, 400, "BAD_REQUEST"},
      {"negative round", "POST", ballots, mutated([](json& b) { b["round"] = -1; }), ct, 400, "BAD_REQUEST"},
      {"unknown field", "POST", ballots, mutated([](json& b) { b["extra"] = 1; }), ct, 400, "BAD_REQUEST"},
      {"missing sig", "POST", ballots, mutated([](json& b) { b.erase("sig"); }), ct, 400, "BAD_REQUEST"},
      {"upper-case hex", "POST", ballots,
       mutated([](json& b) {
         std::string s = b["sig"].get<std::string>();
         for (auto& c : s) c = static_cast<char>(c >= 'a' && c <= 'f' ? c - 'a' + 'A' : c);
         b["sig"] = s;
       }),
       ct, 400, "BAD_REQUEST"},
      {"identity alpha", "POST", ballots,
       mutated([&](json& b) { b["contests"][0]["selections"][0]["alpha"] = zeros; }), ct, 400, "INVALID_POINT"},
      {"identity token", "POST", ballots, mutated([&](json& b) { b["token"] = zeros; }), ct, 400, "INVALID_POINT"},
      {"non-canonical point", "POST", ballots,
       mutated([&](json& b) { b["contests"][0]["selections"][0]["beta"] = all_ff; }), ct, 400, "INVALID_POINT"},
      {"non-canonical scalar (all ff)", "POST", ballots,
       mutated([&](json& b) { b["contests"][0]["selections"][0]["proof"]["s"][0] = all_ff; }), ct, 400,
       "BAD_REQUEST"},
      {"0/1 proof list too short", "POST", ballots,
       mutated([](json& b) { b["contests"][0]["selections"][0]["proof"]["c"].erase(1); }), ct, 400,
       "INVALID_PROOF"},
      {"limit proof list too long", "POST", ballots,
       mutated([](json& b) {
         auto& l = b["contests"][1]["limit_proof"];
         l["c"].push_back(l["c"][0]);
         l["s"].push_back(l["s"][0]);
       }),
       ct, 400, "INVALID_PROOF"},
      {"a contest missing", "POST", ballots, mutated([](json& b) { b["contests"].erase(1); }), ct, 400,
       "BAD_REQUEST"},
      {"alpha repeated in a contest", "POST", ballots,
       mutated([](json& b) {
         b["contests"][0]["selections"][1]["alpha"] = b["contests"][0]["selections"][0]["alpha"];
       }),
       ct, 400, "DUPLICATE_CIPHERTEXT"},
      {"bad ballot signature", "POST", ballots,
       mutated([](json& b) {
         std::string s = b["sig"].get<std::string>();
         s[10] = s[10] == '0' ? '1' : '0';
         b["sig"] = s;
       }),
       ct, 400, "INVALID_SIGNATURE"},
      {"a 0/1 proof altered", "POST", ballots,
       mutated([](json& b) {
         auto& c = b["contests"][0]["selections"][2]["proof"]["c"];
         std::swap(c[0], c[1]);
       }),
       ct, 400, "INVALID_PROOF"},
      {"ballot for a round that is not open", "POST", ballots, mutated([](json& b) { b["round"] = 2; }), ct, 409,
       "ROUND_NOT_OPEN"},
      {"forged token", "POST", ballots, forged_ballot.dump(), ct, 400, "INVALID_TOKEN"},
      {"oversized body", "POST", ballots, std::string((1u << 20) + 16, ' '), ct, 413, "PAYLOAD_TOO_LARGE"},
      {"unknown session", "POST", cat({"/api/sessions/", all_ff, "/ballots"}), good.dump(), ct, 404, "NOT_FOUND"},
      {"wrong method", "DELETE", ballots, "", {}, 405, "BAD_REQUEST"},
      {"unknown query parameter", "GET", cat({path("chain"), "?x=1"}), "", {}, 400, "BAD_REQUEST"},
      {"admin without a token", "POST", path("rounds"), R"({"rounds":[]})", ct, 401, "UNAUTHORIZED"},
      {"admin with another scheme", "POST", path("members/m03/check_out"), "",
       {{"Authorization", cat({"Basic ", token_})}}, 401, "UNAUTHORIZED"},
      {"admin with a wrong token", "POST", path("members/m03/check_out"), "",
       {{"Authorization", cat({"Bearer ", zeros})}}, 403, "FORBIDDEN"},
      {"admin reset with a wrong token", "POST", path("members/m03/reset"), "",
       {{"Authorization", cat({"Bearer ", all_ff})}}, 403, "FORBIDDEN"},
  };

  for (const auto& c : http_cases) {
    SCOPED_TRACE(c.name);
    const json before = head();
    pingyi::test::http_result r;
    try {
      r = http(c.method, c.target, c.body, c.headers);
    } catch (const std::exception& e) {
      ADD_FAILURE() << "no answer: " << e.what();
      continue;
    }
    EXPECT_EQ(r.status, c.status) << r.body;
    EXPECT_EQ(error_code_of(json::parse(r.body, nullptr, false)), c.code) << r.body;
    EXPECT_EQ(head(), before);
  }

  // WebSocket cases: each on the connection it names, the head unchanged after each.
  struct ws_case {
    std::string name;
    std::function<json()> run;
    std::string code;
  };
  auto fresh = [&] { return std::make_shared<connection>(port_, "/ws"); };
  auto& m05 = *tablets_["m05"].conn;
  auto& m03 = *tablets_["m03"].conn;
  auto hello = [&](const std::string& code) {
    json h = json::object();
    h["type"] = "hello";
    h["session"] = hex_;
    h["code"] = code;
    return h;
  };
  const auto blinded = crypto::blind_token(sid_, 1, crypto::signing_key::generate(crypto::os_random()).public_key(),
                                           crypto::os_random())
                           .value();
  std::vector<ws_case> ws_cases = {
      {"request before hello",
       [&] {
         auto c = fresh();
         return c->request(json::parse(R"({"type":"seal_key"})"));
       },
       "UNAUTHORIZED"},
      {"not JSON",
       [&] {
         auto c = fresh();
         return c->send_raw("{not json");
       },
       "BAD_REQUEST"},
      {"hello with an unknown code", [&] { return fresh()->request(hello("ZZZZ-ZZZZ-ZZZZ")); }, "UNAUTHORIZED"},
      {"hello with a malformed code", [&] { return fresh()->request(hello("UUUU-1")); }, "BAD_REQUEST"},
      {"hello with an unknown session",
       [&] {
         json h = hello(chair_code_);
         h["session"] = all_ff;
         return fresh()->request(h);
       },
       "NOT_FOUND"},
      {"hello with an unknown device secret",
       [&] {
         json h = json::object();
         h["type"] = "hello";
         h["session"] = hex_;
         h["device"] = zeros;
         return fresh()->request(h);
       },
       "UNAUTHORIZED"},
      {"hello with a used code and another device key",
       [&] {
         auto c = fresh();
         return hello_with_code(*c, "m04", tablets_["m04"].code,
                                crypto::signing_key::generate(crypto::os_random()));
       },
       "CODE_USED"},
      {"second hello", [&] { return m05.request(hello(chair_code_)); }, "BAD_REQUEST"},
      {"unknown message type", [&] { return m05.request(json::parse(R"({"type":"vote"})")); }, "BAD_REQUEST"},
      {"chair request from a member", [&] { return m05.request(json::parse(R"({"type":"open_round","round":2})")); },
       "FORBIDDEN"},
      {"chair request close_round from a member",
       [&] { return m05.request(json::parse(R"({"type":"close_round","round":1})")); }, "FORBIDDEN"},
      {"token with an identity blinded",
       [&] {
         json r = json::object();
         r["type"] = "token";
         r["round"] = 1;
         r["blinded"] = zeros;
         r["request_sig"] = crypto::sign_token_request(tablets_["m05"].device, sid_, 1, blinded.element).hex();
         return m05.request(r);
       },
       "INVALID_POINT"},
      {"token with a bad request_sig",
       [&] {
         json r = json::object();
         r["type"] = "token";
         r["round"] = 1;
         r["blinded"] = blinded.element.hex();
         r["request_sig"] = crypto::sign_token_request(tablets_["m04"].device, sid_, 1, blinded.element).hex();
         return m05.request(r);
       },
       "INVALID_SIGNATURE"},
      {"token for a round that is not open", [&] { return token_request("m05", 2, blinded.element); },
       "ROUND_NOT_OPEN"},
      {"second, different token request", [&] { return token_request("m03", 1, blinded.element); },
       "ALREADY_ISSUED"},
      {"voted without a token",
       [&] {
         json r = json::object();
         r["type"] = "voted";
         r["round"] = 1;
         r["sig"] = crypto::sign_voted(tablets_["m05"].device, sid_, 1).hex();
         return m05.request(r);
       },
       "FORBIDDEN"},
      {"trustee key after sealing",
       [&] {
         auto k = crypto::generate_trustee_key(crypto::os_random());
         json r = json::object();
         r["type"] = "trustee_key";
         r["key"] = k.key.hex();
         r["proof"] = proof_json(crypto::prove_trustee_key(sid_, "m01", k, crypto::os_random()));
         return tablets_["m01"].conn->request(r);
       },
       "FORBIDDEN"},
      {"decryption of an open round",
       [&] { return tablets_["m01"].conn->request(json::parse(R"({"type":"decryption","round":1,"shares":[]})")); },
       "FORBIDDEN"},
      {"open_round while another is open", [&] { return chair_request("open_round", 2u); }, "FORBIDDEN"},
      {"reveal without a result", [&] { return chair_request("reveal", 1u); }, "FORBIDDEN"},
      {"open an unknown round", [&] { return chair_request("open_round", 9u); }, "NOT_FOUND"},
      {"token with a wrong type", [&] { return m03.request(json::parse(R"({"type":"token","round":"1"})")); },
       "BAD_REQUEST"},
  };

  for (const auto& c : ws_cases) {
    SCOPED_TRACE(c.name);
    const json before = head();
    json reply;
    try {
      reply = c.run();
    } catch (const std::exception& e) {
      ADD_FAILURE() << "no reply: " << e.what();
      continue;
    }
    EXPECT_EQ(error_code_of(reply), c.code) << reply.dump();
    EXPECT_EQ(head(), before);
  }

  EXPECT_GE(http_cases.size() + ws_cases.size(), 20u);

  // A message whose id cannot be read is answered with "id": null.
  {
    connection c(port_, "/ws");
    const json reply = c.send_raw("{not json");
    EXPECT_TRUE(reply["id"].is_null()) << reply.dump();
  }
  // A binary frame closes the connection with 1003, a message over 1 MiB with 1009.
  {
    const json before = head();
    pingyi::test::ws_client c(port_, "/ws");
    ASSERT_TRUE(c.send_binary("\x01\x02"));
    EXPECT_FALSE(c.receive(5s).has_value());
    EXPECT_TRUE(c.closed());
    EXPECT_EQ(c.close_code(), 1003u);
    EXPECT_EQ(head(), before);
  }
  {
    const json before = head();
    pingyi::test::ws_client c(port_, "/ws");
    json h = json::object();
    h["id"] = 1;
    h["type"] = "hello";
    h["session"] = hex_;
    h["code"] = std::string((1u << 20) + 16, 'A');
    (void)c.send(h.dump());
    EXPECT_FALSE(c.receive(5s).has_value());
    EXPECT_TRUE(c.closed());
    EXPECT_EQ(c.close_code(), 1009u);
    EXPECT_EQ(head(), before);
  }

  // Good requests still work: the ballot as built, a new token and its ballot.
  const json before = head();
  const auto cast_good = cast_raw(good.dump());
  EXPECT_EQ(cast_good.status, 200u) << cast_good.body;
  json r;
  const voter late = take_token("m05", 1);
  r = cast(build(late, 1, choices_of(1)));
  EXPECT_EQ(r.value("_status", 0u), 200u) << r.dump();
  EXPECT_GT(head()["seq"].get<std::uint64_t>(), before["seq"].get<std::uint64_t>());
  EXPECT_FALSE(pingyi::verify::check_chain(chain_lines(), 2).failure.has_value());
}

// DESIGN.md §7: an honest server keeps no connection metadata and no credential in the clear. At
// the most talkative log level, a whole round leaves in the log neither a credential nor a cast
// (not even its time) nor any peer address, and the data directory holds only hashes of the
// codes and device secrets it handed out.
TEST_F(ServerSession, KeepsNoCredentialNoCastAndNoPeerAddressInItsLogOrDataDirectory) {
  start_server("trace");
  ASSERT_NO_FATAL_FAILURE(open_session_round1());
  for (std::size_t i = 0; i < member_ids.size(); ++i) {
    const voter v = take_token(member_ids[i], 1);
    const json reply = cast(build(v, 1, choices_of(i)));
    ASSERT_EQ(reply.value("_status", 0u), 200u) << reply.dump();
    ASSERT_TRUE(declare(member_ids[i], 1).value("ok", false));
  }
  ASSERT_NO_FATAL_FAILURE(reconnect("m04"));
  close_decrypt_and_check_result(member_ids.size());

  std::vector<std::string> secrets{token_, chair_code_};
  for (const auto& [member, t] : tablets_) {
    secrets.push_back(t.code);
    secrets.push_back(t.device_secret);
  }
  // Codes are typed with or without their dashes; neither form may appear.
  const std::size_t typed = secrets.size();
  for (std::size_t i = 0; i < typed; ++i) {
    std::string bare = secrets[i];
    std::erase(bare, '-');
    if (bare != secrets[i]) secrets.push_back(bare);
  }

  const std::string log = read_text(temp_.path() / "server.stderr");
  ASSERT_NE(log.find(" debug http: POST /api/sessions -> 200"), std::string::npos) << "the server logged no request:\n"
                                                                                      << log;
  for (const auto& secret : secrets) {
    ASSERT_FALSE(secret.empty());
    EXPECT_EQ(log.find(secret), std::string::npos) << "a credential is in the log";
  }
  EXPECT_EQ(log.find("/ballots"), std::string::npos) << "a cast is in the log";
  std::istringstream lines(log);
  for (std::string line; std::getline(lines, line);) {
    if (line.find("127.0.0.1") != std::string::npos) {
      EXPECT_NE(line.find("listening on"), std::string::npos) << "a peer address in the log: " << line;
    }
  }

  // Every file of the data directory but the admin token's own (and the 0600 secrets file of the
  // server's keys, which holds no credential of anyone else).
  std::size_t files = 0;
  for (const auto& entry : fs::recursive_directory_iterator(temp_.path() / "data")) {
    if (!entry.is_regular_file() || entry.path().filename() == "admin-token") continue;
    ++files;
    const std::string bytes = read_text(entry.path());
    for (const auto& secret : secrets) {
      if (secret == token_) continue;  // its hash is what authenticates the secretariat
      EXPECT_EQ(bytes.find(secret), std::string::npos) << "a credential in the clear in " << entry.path();
    }
    EXPECT_EQ(bytes.find("127.0.0.1"), std::string::npos) << "a peer address in " << entry.path();
  }
  EXPECT_GE(files, 2u) << "the database and the secrets file were looked at";
}

}  // namespace
