// Clients on a bad network against the real pingyi-server: connections cut in the middle of a
// request or a WebSocket frame (with FIN and with RST), requests whose reply is lost, half-open
// sockets that never finish and never read, a tablet reconnecting a hundred times, duplicated and
// reordered requests, and a crowd of 10,000 idle and slowloris connections. What must hold: a
// request that did not arrive whole changes nothing, one that arrived counts once however often it
// is repeated, the server sheds what it must and keeps serving everyone else.
// clang-format off
#include <utility>  // first: Boost 1.74's Asio (test_client.hpp) needs it before its awaitable header
// clang-format on

#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <future>
#include <iostream>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "../unit/store/temp_directory.hpp"
#include "chain_check.hpp"
#include "live_committee.hpp"
#include "pingyi/crypto/init.hpp"
#include "server_child.hpp"

namespace {

namespace crypto = pingyi::crypto;
using json = nlohmann::ordered_json;
using pingyi::test::error_code_of;
using pingyi::test::live_committee;
using pingyi::test::server_child;
using pingyi::test::ws_connection;
using namespace std::chrono_literals;

// A plain blocking TCP socket to the server, for bytes no well-behaved client would send.
class raw_socket {
 public:
  explicit raw_socket(std::uint16_t port) : fd_(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) {
    if (fd_ < 0) throw std::runtime_error(std::string("socket: ") + std::strerror(errno));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
      const int e = errno;
      ::close(fd_);
      throw std::runtime_error(std::string("connect: ") + std::strerror(e));
    }
  }
  raw_socket(const raw_socket&) = delete;
  raw_socket& operator=(const raw_socket&) = delete;
  raw_socket(raw_socket&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  ~raw_socket() {
    if (fd_ >= 0) ::close(fd_);
  }

  [[nodiscard]] int fd() const noexcept { return fd_; }

  bool send(std::string_view bytes) {
    while (!bytes.empty()) {
      const ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      bytes.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
  }

  // Reads until `until` appears, the peer closes, or the timeout.
  std::string read_until(std::string_view until, std::chrono::milliseconds timeout) {
    std::string got;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    char buf[4096];
    while (got.find(until) == std::string::npos) {
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count();
      if (left <= 0) break;
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left)) <= 0) break;
      const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) break;
      got.append(buf, static_cast<std::size_t>(n));
    }
    return got;
  }

  // Closes with RST instead of FIN (SO_LINGER 0): the server sees "connection reset".
  void reset() {
    linger l{1, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_LINGER, &l, sizeof l);
    ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_;
};

// A client WebSocket frame (RFC 6455 §5.2): FIN, text, masked with a fixed key.
std::string ws_frame(std::string_view payload) {
  std::string f;
  f.push_back(static_cast<char>(0x81));
  if (payload.size() < 126) {
    f.push_back(static_cast<char>(0x80 | payload.size()));
  } else {
    f.push_back(static_cast<char>(0x80 | 126));
    f.push_back(static_cast<char>((payload.size() >> 8) & 0xff));
    f.push_back(static_cast<char>(payload.size() & 0xff));
  }
  const char mask[4] = {0x12, 0x34, 0x56, 0x78};
  f.append(mask, 4);
  for (std::size_t i = 0; i < payload.size(); ++i) f.push_back(static_cast<char>(payload[i] ^ mask[i % 4]));
  return f;
}

// A raw socket upgraded to /ws by hand.
raw_socket raw_websocket(std::uint16_t port) {
  raw_socket s(port);
  s.send(
      "GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
  const std::string answer = s.read_until("\r\n\r\n", 10s);
  if (answer.rfind("HTTP/1.1 101", 0) != 0) throw std::runtime_error("upgrade refused: " + answer);
  return s;
}

class BadNetwork : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(crypto::init());
    server_ = std::make_unique<server_child>(temp_.path() / "data", temp_.path() / "server.stderr");
    const auto port = server_->wait_listening();
    ASSERT_TRUE(port.has_value()) << server_->errors();
    port_ = *port;
    admin_ = pingyi::test::read_admin_token(temp_.path() / "data");
  }

  // A session of `members` members, everyone checked in, the key sealed and round 1 open.
  std::unique_ptr<live_committee> open_round(std::size_t members) {
    auto c = std::make_unique<live_committee>(port_, admin_);
    c->create(members, 0, json::array({live_committee::evaluation_round()}));
    for (std::size_t i = 1; i <= members; ++i) c->check_in(live_committee::member_id(i));
    live_committee::expect_ok(c->chair_request("seal_key"), "seal_key");
    live_committee::expect_ok(c->chair_request("open_round", 1u), "open_round");
    return c;
  }

  // A well-behaved client is served: a fresh HTTP connection and a fresh /ws hello.
  void expect_others_served(live_committee& c) {
    EXPECT_EQ(pingyi::test::http_call(port_, "GET", "/healthz", {}, {}, 10s).status, 200u);
    EXPECT_EQ(c.head().value("ok", false), true);
    ws_connection chair(port_, "/ws");
    json hello = json::object();
    hello["type"] = "hello";
    hello["session"] = c.session();
    hello["code"] = c.chair_code();
    EXPECT_EQ(error_code_of(chair.request(hello)), "OK");
    EXPECT_TRUE(server_->running());
  }

  pingyi::store::test::temp_directory temp_;
  std::unique_ptr<server_child> server_;
  std::uint16_t port_ = 0;
  std::string admin_;
};

TEST_F(BadNetwork, ConnectionsCutMidRequestOrMidFrameChangeNothing) {
  auto c = open_round(4);
  const auto v = c->take_token("m001", 1);
  const std::string body = pingyi::test::ballot_json(c->build(v, 1, 0)).dump();
  const std::string request = "POST " + c->path("ballots") +
                              " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: " +
                              std::to_string(body.size()) + "\r\n\r\n";
  const std::string chain = c->chain_text();

  std::size_t cuts = 0;
  // HTTP: cut in the headers, after the headers, at every tenth of the body, and one byte short;
  // each with FIN and with RST.
  std::vector<std::string> prefixes{request.substr(0, request.size() / 2), request};
  for (std::size_t k = 1; k < 10; ++k) prefixes.push_back(request + body.substr(0, body.size() * k / 10));
  prefixes.push_back(request + body.substr(0, body.size() - 1));
  for (const auto& prefix : prefixes) {
    for (const bool rst : {false, true}) {
      raw_socket s(port_);
      ASSERT_TRUE(s.send(prefix));
      if (rst) {
        s.reset();
      }  // else: the destructor closes with FIN
      ++cuts;
    }
  }
  // WebSocket: a token request cut inside its frame, and a frame header promising more.
  {
    json hello = json::object();
    hello["id"] = 1;
    hello["type"] = "hello";
    hello["session"] = c->session();
    hello["device"] = c->tablet_of("m002").device_secret;
    const auto blinded =
        crypto::blind_token(c->sid(), 1, crypto::signing_key::generate(crypto::os_random()).public_key(),
                            crypto::os_random())
            .value();
    json token = json::object();
    token["id"] = 2;
    token["type"] = "token";
    token["round"] = 1;
    token["blinded"] = blinded.element.hex();
    token["request_sig"] = crypto::sign_token_request(c->tablet_of("m002").device, c->sid(), 1, blinded.element).hex();
    const std::string frame = ws_frame(token.dump());
    for (const std::size_t cut : {std::size_t{1}, std::size_t{2}, std::size_t{6}, frame.size() / 2, frame.size() - 1}) {
      for (const bool rst : {false, true}) {
        raw_socket s = raw_websocket(port_);
        ASSERT_TRUE(s.send(ws_frame(hello.dump())));
        ASSERT_NE(s.read_until("\"ok\":true", 10s).find("\"ok\":true"), std::string::npos);
        ASSERT_TRUE(s.send(frame.substr(0, cut)));
        if (rst) s.reset();
        ++cuts;
      }
    }
  }
  // Nothing was appended by any of them (a token record would have been), and m002 has no token.
  std::this_thread::sleep_for(200ms);  // let the server see every close
  EXPECT_EQ(c->chain_text(), chain);
  expect_others_served(*c);
  std::cout << "[ figures  ] " << cuts << " connections cut mid-request" << std::endl;

  // A whole ballot whose reply is lost (the client resets right after sending it): the identical
  // ballot sent again gets the receipt, and the chain holds it once.
  {
    raw_socket s(port_);
    ASSERT_TRUE(s.send(request + body));
    s.reset();
  }
  const auto again = c->cast_raw(body);
  ASSERT_EQ(again.status, 200u) << again.body;
  EXPECT_EQ(c->records_of("ballot").size(), 1u);
  // The same for a token request: the token is issued once; the same request again is answered
  // the same and appends nothing.
  const auto blinded = crypto::blind_token(c->sid(), 1, crypto::signing_key::generate(crypto::os_random()).public_key(),
                                           crypto::os_random())
                           .value();
  {
    json hello = json::object();
    hello["id"] = 1;
    hello["type"] = "hello";
    hello["session"] = c->session();
    hello["device"] = c->tablet_of("m003").device_secret;
    json token = json::object();
    token["id"] = 2;
    token["type"] = "token";
    token["round"] = 1;
    token["blinded"] = blinded.element.hex();
    token["request_sig"] = crypto::sign_token_request(c->tablet_of("m003").device, c->sid(), 1, blinded.element).hex();
    raw_socket s = raw_websocket(port_);
    ASSERT_TRUE(s.send(ws_frame(hello.dump()) + ws_frame(token.dump())));
    s.reset();
  }
  // Whether the server still handled a request whose connection was reset behind it is its
  // business (the reset may discard what it had not read); the tablet repeats the request until
  // answered, and the token exists once.
  std::this_thread::sleep_for(200ms);
  EXPECT_LE(c->records_of("token").size(), 2u);
  const json first = c->token_request("m003", 1, blinded.element);
  const json second = c->token_request("m003", 1, blinded.element);
  EXPECT_EQ(error_code_of(first), "OK") << first.dump();
  EXPECT_EQ(first["evaluated"], second["evaluated"]);
  EXPECT_EQ(c->records_of("token").size(), 2u);
  EXPECT_FALSE(pingyi::verify::check_chain(c->chain_lines(), 2).failure.has_value());
}

TEST_F(BadNetwork, HalfOpenSocketsThatNeverFinishOrReadDoNotHoldUpARound) {
  auto c = open_round(5);
  // 100 half-open connections of each kind (a body promised and never sent, headers never
  // finished, a WebSocket upgraded and silent, a frame never finished), none of them ever
  // reading, held while the round is played.
  constexpr std::size_t each = 100;
  std::vector<raw_socket> held;
  for (std::size_t i = 0; i < each; ++i) {
    raw_socket s(port_);
    s.send("POST " + c->path("ballots") + " HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n{\"round\":");
    held.push_back(std::move(s));
  }
  for (std::size_t i = 0; i < each; ++i) {
    raw_socket s(port_);
    s.send("GET /api/sessions HTTP/1.1\r\nHost: x\r\nX-Half: ");
    held.push_back(std::move(s));
  }
  for (std::size_t i = 0; i < each; ++i) {
    held.push_back(raw_websocket(port_));  // upgraded, then silent
  }
  for (std::size_t i = 0; i < each; ++i) {
    raw_socket s = raw_websocket(port_);
    s.send(ws_frame(R"({"id":1,"type":"hello"})").substr(0, 5));  // a frame never finished
    held.push_back(std::move(s));
  }
  for (std::size_t i = 1; i <= 5; ++i) {
    const auto m = live_committee::member_id(i);
    const auto v = c->take_token(m, 1);
    ASSERT_EQ(c->cast_raw(pingyi::test::ballot_json(c->build(v, 1, i)).dump()).status, 200u);
    ASSERT_EQ(error_code_of(c->declare(m, 1)), "OK");
  }
  ASSERT_EQ(error_code_of(c->chair_request("close_round", 1u)), "OK");
  ASSERT_TRUE(pingyi::test::eventually([&] { return !c->records_of("result").empty(); }, 20s));
  EXPECT_EQ(c->records_of("result").front()["ballots"], 5);
  expect_others_served(*c);
  std::cout << "[ figures  ] " << held.size() << " half-open connections held through a round" << std::endl;
}

TEST_F(BadNetwork, TabletReconnectingAHundredTimesKeepsItsCheckInTokenAndDeclaration) {
  auto c = open_round(3);
  const std::string member = "m001";
  auto& tablet = c->tablet_of(member);
  const std::string secret = tablet.device_secret;
  const auto ske = crypto::signing_key::generate(crypto::os_random());
  const auto blinded = crypto::blind_token(c->sid(), 1, ske.public_key(), crypto::os_random()).value();
  const json first_token = c->token_request(member, 1, blinded.element);
  ASSERT_EQ(error_code_of(first_token), "OK");
  const auto token =
      crypto::unblind_token(
          c->keys().token_key, blinded, crypto::point::from_hex(first_token["evaluated"].get<std::string>()).value(),
          crypto::proof{crypto::scalar::from_hex(first_token["proof"]["c"].get<std::string>()).value(),
                        crypto::scalar::from_hex(first_token["proof"]["s"].get<std::string>()).value()})
          .value();
  const std::string ballot = pingyi::test::ballot_json(c->build(pingyi::test::voter{ske, token}, 1, 2)).dump();
  json receipt;

  constexpr std::size_t reconnects = 100;
  for (std::size_t i = 0; i < reconnects; ++i) {
    SCOPED_TRACE("reconnect " + std::to_string(i));
    tablet.conn.reset();  // the old connection is gone (every third one without a close frame)
    if (i % 3 == 0) {
      // Half the time the tablet repeats its check-in with the printed code and its own key.
      auto conn = std::make_unique<ws_connection>(port_, "/ws");
      const json reply = c->hello_with_code(*conn, member, tablet.code, tablet.device);
      ASSERT_EQ(error_code_of(reply), "OK") << reply.dump();
      EXPECT_EQ(reply["device"], secret) << "a repeated check-in changed the device secret";
      tablet.conn = std::move(conn);
    } else {
      ASSERT_NO_THROW(c->reconnect(member));
      EXPECT_EQ(tablet.device_secret, secret);
    }
    // The token request is repeated on every reconnect (the tablet cannot know the first reply
    // arrived) and answered the same.
    const json again = c->token_request(member, 1, blinded.element);
    ASSERT_EQ(error_code_of(again), "OK") << again.dump();
    EXPECT_EQ(again["evaluated"], first_token["evaluated"]);
    if (i == reconnects / 2) {
      const auto r = c->cast_raw(ballot);
      ASSERT_EQ(r.status, 200u) << r.body;
      receipt = json::parse(r.body)["receipt"];
    }
    if (i >= reconnects / 2) {
      // Repeated until acknowledged, and after.
      EXPECT_EQ(error_code_of(c->declare(member, 1)), "OK");
      const auto r = c->cast_raw(ballot);
      EXPECT_EQ(json::parse(r.body)["receipt"], receipt);
    }
  }
  ASSERT_EQ(error_code_of(c->chair_request("close_round", 1u)), "OK");
  ASSERT_TRUE(pingyi::test::eventually([&] { return !c->records_of("result").empty(); }, 20s));

  std::size_t check_ins = 0;
  std::size_t tokens = 0;
  for (const auto& r : c->records_of("check_in")) check_ins += r["member"] == member ? 1 : 0;
  for (const auto& r : c->records_of("token")) tokens += r["member"] == member ? 1 : 0;
  EXPECT_EQ(check_ins, 1u);
  EXPECT_EQ(tokens, 1u);
  EXPECT_EQ(c->records_of("ballot").size(), 1u);
  const json closed = c->records_of("round_closed").front();
  ASSERT_EQ(closed["voted"].size(), 1u);
  EXPECT_EQ(closed["voted"][0]["member"], member);
  EXPECT_EQ(c->records_of("result").front()["undeclared"], 0);
  EXPECT_FALSE(pingyi::verify::check_chain(c->chain_lines(), 2).failure.has_value());
  std::cout << "[ figures  ] " << reconnects << " reconnects of one tablet" << std::endl;
}

TEST_F(BadNetwork, DuplicatedAndReorderedRequestsCountOnce) {
  auto c = open_round(4);
  // The same ballot on eight connections at once: one record, one receipt for all eight.
  const auto v1 = c->take_token("m001", 1);
  const std::string body = pingyi::test::ballot_json(c->build(v1, 1, 0)).dump();
  std::vector<std::future<pingyi::test::http_result>> casts;
  for (int i = 0; i < 8; ++i) casts.push_back(std::async(std::launch::async, [&] { return c->cast_raw(body); }));
  std::optional<json> receipt;
  for (auto& f : casts) {
    const auto r = f.get();
    ASSERT_EQ(r.status, 200u) << r.body;
    const json got = json::parse(r.body)["receipt"];
    if (!receipt) receipt = got;
    EXPECT_EQ(got, *receipt);
  }
  EXPECT_EQ(c->records_of("ballot").size(), 1u);

  // The same token request on two connections of one tablet at once: one token record, one answer.
  c->reconnect("m002");
  ws_connection second(port_, "/ws");
  ASSERT_EQ(error_code_of(c->reconnect_hello(second, "m002")), "OK");
  const auto ske2 = crypto::signing_key::generate(crypto::os_random());
  const auto blinded = crypto::blind_token(c->sid(), 1, ske2.public_key(), crypto::os_random()).value();
  json token = json::object();
  token["type"] = "token";
  token["round"] = 1;
  token["blinded"] = blinded.element.hex();
  token["request_sig"] = crypto::sign_token_request(c->tablet_of("m002").device, c->sid(), 1, blinded.element).hex();
  auto on_first = std::async(std::launch::async, [&] { return c->member_connection("m002").request(token); });
  const json from_second = second.request(token);
  const json from_first = on_first.get();
  EXPECT_EQ(error_code_of(from_first), "OK") << from_first.dump();
  EXPECT_EQ(error_code_of(from_second), "OK") << from_second.dump();
  EXPECT_EQ(from_first["evaluated"], from_second["evaluated"]);
  std::size_t m002_tokens = 0;
  for (const auto& r : c->records_of("token")) m002_tokens += r["member"] == "m002" ? 1 : 0;
  EXPECT_EQ(m002_tokens, 1u);

  // Reordered: m003 declares before its ballot arrives (its receipt reply overtaken), then casts,
  // then declares again; m004's token request arrives only after the round closed.
  const auto v3 = c->take_token("m003", 1);
  EXPECT_EQ(error_code_of(c->declare("m003", 1)), "OK");
  EXPECT_EQ(c->cast_raw(pingyi::test::ballot_json(c->build(v3, 1, 1)).dump()).status, 200u);
  EXPECT_EQ(error_code_of(c->declare("m003", 1)), "OK");
  EXPECT_EQ(error_code_of(c->declare("m001", 1)), "OK");
  ASSERT_EQ(error_code_of(c->chair_request("close_round", 1u)), "OK");
  const auto late = crypto::blind_token(c->sid(), 1, crypto::signing_key::generate(crypto::os_random()).public_key(),
                                        crypto::os_random())
                        .value();
  EXPECT_EQ(error_code_of(c->token_request("m004", 1, late.element)), "ROUND_NOT_OPEN");
  EXPECT_EQ(c->cast_raw(body).status, 200u) << "a receipted ballot repeated after the close still gets its receipt";
  ASSERT_TRUE(pingyi::test::eventually([&] { return !c->records_of("result").empty(); }, 20s));
  const json closed = c->records_of("round_closed").front();
  EXPECT_EQ(closed["ballots"], 2);
  EXPECT_EQ(closed["tokens"], 3);
  EXPECT_EQ(closed["voted"].size(), 2u);
  EXPECT_EQ(c->records_of("result").front()["undeclared"], 0);
  EXPECT_FALSE(pingyi::verify::check_chain(c->chain_lines(), 2).failure.has_value());
}

// 10,000 connections (the server's max_connections), of which 9,900 idle and 100 slowloris
// (a header byte every second): those within the limit are held while a well-behaved client is
// served; the connection beyond the limit is closed at once; after the 30 s request timeout the
// server has closed every one of them, and serves as before.
TEST_F(BadNetwork, TenThousandIdleAndSlowlorisConnectionsAreShedAndOthersServed) {
  constexpr std::size_t max_connections = 10'000;
  constexpr std::size_t slowloris = 100;
  rlimit limit{};
  ::getrlimit(RLIMIT_NOFILE, &limit);
  const rlim_t wanted = max_connections + 1'000;
  if (limit.rlim_cur < wanted && limit.rlim_max >= wanted) {
    limit.rlim_cur = wanted;
    ::setrlimit(RLIMIT_NOFILE, &limit);
  }
  ::getrlimit(RLIMIT_NOFILE, &limit);
  if (limit.rlim_cur < wanted) {
    GTEST_SKIP() << "RLIMIT_NOFILE is " << limit.rlim_cur << " (hard " << limit.rlim_max << "): " << wanted
                 << " descriptors are needed for 10,000 connections";
  }

  // The server is restarted with the soft limit most hosts give a service (1,024 open files): it
  // must raise its own to hold 10,000 connections.
  server_.reset();
  {
    const rlimit mine = limit;
    rlimit low = limit;
    low.rlim_cur = 1'024;
    ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &low), 0);
    server_ = std::make_unique<server_child>(temp_.path() / "data", temp_.path() / "server.stderr");
    ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &mine), 0);
  }
  const auto port = server_->wait_listening();
  ASSERT_TRUE(port.has_value()) << server_->errors();
  port_ = *port;
  auto c = open_round(3);

  // Leave room for the well-behaved client's own connections while the crowd is held.
  const std::size_t crowd = max_connections - 16;
  std::vector<raw_socket> held;
  held.reserve(crowd + 16);
  const auto crowd_started = std::chrono::steady_clock::now();
  for (std::size_t i = 0; i < crowd; ++i) {
    held.emplace_back(port_);
    if (i < slowloris) held.back().send("G");
  }
  const auto crowd_ready = std::chrono::steady_clock::now();
  std::cout << "[ figures  ] " << crowd << " connections opened in "
            << std::chrono::duration_cast<std::chrono::milliseconds>(crowd_ready - crowd_started).count() << " ms"
            << std::endl;
  c->restarted(port_);  // the tablets reconnect: their sockets were not read (no pong) while the crowd came
  // While they are held, the well-behaved tablet votes.
  const auto v = c->take_token("m001", 1);
  EXPECT_EQ(c->cast_raw(pingyi::test::ballot_json(c->build(v, 1, 0)).dump()).status, 200u);
  expect_others_served(*c);

  // Fill up to the limit; one more is accepted and closed at once, not left hanging. First let
  // the server see the well-behaved client's closed connections go, so that no slot frees up
  // after the fill.
  std::this_thread::sleep_for(500ms);
  while (held.size() < max_connections) held.emplace_back(port_);
  std::this_thread::sleep_for(300ms);  // let the server accept them all
  {
    raw_socket over(port_);
    over.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
    const std::string answer = over.read_until("\r\n\r\n", 5s);
    EXPECT_EQ(answer.find("200 OK"), std::string::npos) << "connection 10,001 was served: " << answer;
  }

  // Slowloris: a byte every second. Then wait for the server to close everything.
  std::size_t closed_by_server = 0;
  std::vector<bool> closed(held.size(), false);
  const auto deadline = crowd_ready + 45s;
  auto last_drip = std::chrono::steady_clock::now();
  std::vector<pollfd> fds(held.size());
  while (closed_by_server < held.size() && std::chrono::steady_clock::now() < deadline) {
    if (std::chrono::steady_clock::now() - last_drip > 1s) {
      for (std::size_t i = 0; i < slowloris; ++i)
        if (!closed[i]) held[i].send("E");
      last_drip = std::chrono::steady_clock::now();
    }
    for (std::size_t i = 0; i < held.size(); ++i) fds[i] = pollfd{closed[i] ? -1 : held[i].fd(), POLLIN, 0};
    if (::poll(fds.data(), fds.size(), 200) <= 0) continue;
    for (std::size_t i = 0; i < held.size(); ++i) {
      if (closed[i] || (fds[i].revents & (POLLIN | POLLHUP | POLLERR)) == 0) continue;
      char buf[1024];
      const ssize_t n = ::recv(held[i].fd(), buf, sizeof buf, MSG_DONTWAIT);
      if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)) {
        closed[i] = true;
        ++closed_by_server;
      }
    }
  }
  std::size_t slow_closed = 0;
  for (std::size_t i = 0; i < slowloris; ++i) slow_closed += closed[i] ? 1 : 0;
  std::cout << "[ figures  ] " << held.size() << " connections held (" << slowloris << " slowloris); "
            << closed_by_server << " closed by the server within 45 s" << std::endl;
  RecordProperty("connections", std::to_string(held.size()));
  EXPECT_EQ(slow_closed, slowloris) << "slowloris connections outlived the request timeout";
  EXPECT_EQ(closed_by_server, held.size());
  held.clear();
  expect_others_served(*c);
  EXPECT_EQ(error_code_of(c->declare("m001", 1)), "OK");
}

}  // namespace
