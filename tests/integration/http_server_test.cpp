// The network transport over real loopback sockets: HTTP routing and limits, static files and
// their refusals, WebSocket ordering, limits and closing, TLS, metrics and stop(). The protocol
// is played by small test handlers; the server runs on two io_context threads.
// clang-format off
#include <utility>  // first: Boost 1.74's Asio needs it before its awaitable header
// clang-format on

#include "pingyi/net/http_server.hpp"

#include <gtest/gtest.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <unistd.h>

#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "pingyi/net/metrics.hpp"
#include "pingyi/net/transport.hpp"
#include "test_client.hpp"

namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using nlohmann::json;
using pingyi::net::http_reply;
using pingyi::net::http_request;
using pingyi::net::http_response;
using pingyi::net::max_message_bytes;
using pingyi::net::server_options;
using pingyi::net::ws_connection;
using pingyi::net::ws_handler;
using pingyi::test::http_call;
using pingyi::test::http_result;
using pingyi::test::ws_client;

// Waits until `condition` holds, at most `timeout`.
template <class Condition>
bool eventually(Condition condition, std::chrono::milliseconds timeout = 5s) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!condition()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(5ms);
  }
  return true;
}

std::string error_code_of(const std::string& body) {
  const auto parsed = json::parse(body, nullptr, false);
  if (parsed.is_discarded() || !parsed.contains("error")) return {};
  return parsed["error"].value("code", "");
}

// A temporary directory, removed with everything in it.
class temp_dir {
 public:
  temp_dir() {
    std::random_device random;
    path_ = fs::temp_directory_path() / std::string("pingyi-net-test-").append(std::to_string(random()));
    fs::create_directories(path_);
  }
  ~temp_dir() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;
  [[nodiscard]] const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

void write_file(const fs::path& path, const std::string& content) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << content;
}

// Echoes each message back, except "flood <count> <size>", which sends <count> messages of
// <size> bytes; counts its calls so that tests can check "on_close exactly once".
class echo_handler : public ws_handler {
 public:
  explicit echo_handler(std::shared_ptr<ws_connection> connection) : connection_(std::move(connection)) {}

  void on_message(std::string text) override {
    if (closes_ > 0) messages_after_close_++;
    messages_++;
    if (text.starts_with("flood ")) {
      std::size_t count = 0;
      std::size_t size = 0;
      std::sscanf(text.c_str(), "flood %zu %zu", &count, &size);
      const auto payload = std::make_shared<const std::string>(size, 'f');
      for (std::size_t i = 0; i < count; ++i) connection_->send(payload);
      return;
    }
    connection_->send(std::make_shared<const std::string>(std::move(text)));
  }

  void on_close() override {
    connection_.reset();
    closes_++;
  }

  std::atomic<int> messages_{0};
  std::atomic<int> closes_{0};
  std::atomic<int> messages_after_close_{0};

 private:
  std::shared_ptr<ws_connection> connection_;
};

// The protocol's stand-in: answers every HTTP request with what it received, and opens echo
// WebSockets except when the query says "refuse".
class test_handler : public pingyi::net::request_handler {
 public:
  ~test_handler() override {
    std::lock_guard lock(mutex_);
    for (auto& thread : threads_) thread.join();
  }

  void handle_http(http_request request, http_reply reply) override {
    {
      std::lock_guard lock(mutex_);
      requests_.push_back(request);
    }
    if (request.path == "/api/throws") throw std::runtime_error("the handler failed");
    json body;
    body["method"] = request.method;
    body["path"] = request.path;
    body["query"] = request.query;
    body["authorization"] = request.authorization;
    body["content_type"] = request.content_type;
    body["body"] = request.body;
    http_response response;
    response.body = body.dump();
    response.headers.emplace_back("Cache-Control", "no-store");
    if (request.path == "/api/bad-status") response.status = 0;
    if (request.path == "/api/bad-header") response.headers.emplace_back("X-Note", "a\r\nSet-Cookie: stolen=1");
    if (request.path == "/api/later") {
      // Answered from a thread that is not the io_context's, a little later.
      std::lock_guard lock(mutex_);
      threads_.emplace_back([reply = std::move(reply), response = std::move(response)]() mutable {
        std::this_thread::sleep_for(20ms);
        reply(std::move(response));
      });
      return;
    }
    reply(std::move(response));
  }

  std::shared_ptr<ws_handler> open_websocket(const http_request& request,
                                             std::shared_ptr<ws_connection> connection) override {
    if (request.query == "refuse") return nullptr;
    if (request.query == "greet") connection->send(std::make_shared<const std::string>("hello"));
    auto handler = std::make_shared<echo_handler>(std::move(connection));
    std::lock_guard lock(mutex_);
    sockets_.push_back(handler);
    return handler;
  }

  std::vector<http_request> requests() {
    std::lock_guard lock(mutex_);
    return requests_;
  }
  std::shared_ptr<echo_handler> socket(std::size_t i) {
    std::lock_guard lock(mutex_);
    return i < sockets_.size() ? sockets_[i] : nullptr;
  }
  std::size_t socket_count() {
    std::lock_guard lock(mutex_);
    return sockets_.size();
  }

 private:
  std::mutex mutex_;
  std::vector<http_request> requests_;
  std::vector<std::shared_ptr<echo_handler>> sockets_;
  std::vector<std::thread> threads_;
};

// A server on 127.0.0.1:<any port>, run on two threads, stopped and drained after each test.
class server_fixture : public ::testing::Test {
 protected:
  void start(server_options options = {}) {
    options.address = "127.0.0.1";
    options.port = 0;
    handler_ = std::make_shared<test_handler>();
    metrics_ = std::make_shared<pingyi::net::metrics>();
    std::string error;
    server_ = pingyi::net::http_server::create(io_, options, handler_, metrics_, error);
    ASSERT_TRUE(server_) << error;
    port_ = server_->port();
    for (int i = 0; i < 2; ++i) {
      threads_.emplace_back([this] {
        io_.run();
        running_--;
      });
    }
  }

  void TearDown() override {
    if (server_) server_->stop();
    work_.reset();
    // Everything closes by itself after stop(); give it a moment, then cut it short.
    eventually([this] { return running_ == 0; }, 3s);
    io_.stop();
    for (auto& thread : threads_) thread.join();
    server_.reset();
  }

  [[nodiscard]] std::string render() const { return metrics_->render(); }
  [[nodiscard]] bool metric_is(const std::string& line) const {
    return render().find(std::string("\n").append(line).append("\n")) != std::string::npos;
  }

  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_ = boost::asio::make_work_guard(io_);
  std::vector<std::thread> threads_;
  std::atomic<int> running_{2};
  std::shared_ptr<test_handler> handler_;
  std::shared_ptr<pingyi::net::metrics> metrics_;
  std::unique_ptr<pingyi::net::http_server> server_;
  std::uint16_t port_ = 0;
};

// ---------------------------------------------------------------------------------------------
// HTTP

class HttpServer : public server_fixture {};

TEST_F(HttpServer, HandlerReceivesMethodPathQueryBodyAndAuthorization) {
  start();
  const auto result = http_call(port_, "POST", "/api/sessions/ab12/ballots?from=3&x=%20y", R"({"round":1})",
                                {{"Authorization", "Bearer secret-token"}, {"Content-Type", "application/json"}});
  ASSERT_EQ(result.status, 200u);
  const auto echoed = json::parse(result.body);
  EXPECT_EQ(echoed["method"], "POST");
  EXPECT_EQ(echoed["path"], "/api/sessions/ab12/ballots");
  EXPECT_EQ(echoed["query"], "from=3&x=%20y");
  EXPECT_EQ(echoed["authorization"], "Bearer secret-token");
  EXPECT_EQ(echoed["content_type"], "application/json");
  EXPECT_EQ(echoed["body"], R"({"round":1})");
  EXPECT_EQ(result.header("Content-Type"), "application/json");
  EXPECT_EQ(result.header("Cache-Control"), "no-store");
}

TEST_F(HttpServer, ReplyFromAnotherThreadIsDelivered) {
  start();
  const auto result = http_call(port_, "GET", "/api/later");
  ASSERT_EQ(result.status, 200u);
  EXPECT_EQ(json::parse(result.body)["path"], "/api/later");
}

TEST_F(HttpServer, KeepsTheConnectionAliveAndAnswersPipelinedRequestsInOrder) {
  start();
  const auto result = pingyi::test::raw_exchange(port_,
                                                 "GET /api/first HTTP/1.1\r\nHost: x\r\n\r\n"
                                                 "GET /api/second HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_TRUE(result.closed_by_server);
  const auto first = result.bytes.find("/api/first");
  const auto second = result.bytes.find("/api/second");
  ASSERT_NE(first, std::string::npos);
  ASSERT_NE(second, std::string::npos);
  EXPECT_LT(first, second);
  EXPECT_EQ(handler_->requests().size(), 2u);
}

TEST_F(HttpServer, ExpectContinueIsAnsweredBeforeTheBody) {
  start();
  const auto result = pingyi::test::raw_exchange(
      port_,
      "POST /api/x HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 4\r\nConnection: close\r\n\r\n"
      "body");
  EXPECT_TRUE(result.bytes.starts_with("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n")) << result.bytes;
  EXPECT_NE(result.bytes.find(R"("body":"body")"), std::string::npos);
}

TEST_F(HttpServer, OversizedBodyBehindExpectContinueIsRefusedBeforeItIsSent) {
  start();
  const auto result = pingyi::test::raw_exchange(
      port_, std::string("POST /api/x HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: ")
                 .append(std::to_string(max_message_bytes + 1))
                 .append("\r\n\r\n"));
  EXPECT_TRUE(result.closed_by_server);
  EXPECT_TRUE(result.bytes.starts_with("HTTP/1.1 413")) << result.bytes;
  EXPECT_TRUE(handler_->requests().empty());
}

TEST_F(HttpServer, BodyOverOneMebibyteIsRefusedWith413PayloadTooLarge) {
  start();
  const auto result = http_call(port_, "POST", "/api/sessions", std::string(max_message_bytes + 1, 'x'));
  EXPECT_EQ(result.status, 413u);
  EXPECT_EQ(error_code_of(result.body), "PAYLOAD_TOO_LARGE");
  EXPECT_EQ(result.header("Connection"), "close");
  EXPECT_TRUE(handler_->requests().empty());
}

TEST_F(HttpServer, BodyOfExactlyOneMebibyteIsAccepted) {
  start();
  const auto result = http_call(port_, "POST", "/api/sessions", std::string(max_message_bytes, 'x'));
  EXPECT_EQ(result.status, 200u);
}

TEST_F(HttpServer, MalformedRequestIsAnswered400BadRequestAndClosed) {
  start();
  const auto result = pingyi::test::raw_exchange(port_, "GARBAGE\r\n\r\n");
  EXPECT_TRUE(result.closed_by_server);
  EXPECT_TRUE(result.bytes.starts_with("HTTP/1.1 400")) << result.bytes;
  EXPECT_NE(result.bytes.find(R"("code":"BAD_REQUEST")"), std::string::npos);
  EXPECT_TRUE(handler_->requests().empty());
}

TEST_F(HttpServer, HandlerExceptionBecomes500Internal) {
  start();
  const auto result = http_call(port_, "GET", "/api/throws");
  EXPECT_EQ(result.status, 500u);
  EXPECT_EQ(error_code_of(result.body), "INTERNAL");
}

TEST_F(HttpServer, InvalidStatusFromTheHandlerBecomes500Internal) {
  start();
  const auto result = http_call(port_, "GET", "/api/bad-status");
  EXPECT_EQ(result.status, 500u);
  EXPECT_EQ(error_code_of(result.body), "INTERNAL");
}

TEST_F(HttpServer, HeaderValueWithALineBreakIsDropped) {
  start();
  const auto result = http_call(port_, "GET", "/api/bad-header");
  EXPECT_EQ(result.status, 200u);
  EXPECT_EQ(result.header("X-Note"), "");
  EXPECT_EQ(result.header("Set-Cookie"), "");
}

TEST_F(HttpServer, EveryResponseSaysNosniffAndNeverNamesBeast) {
  start();
  const std::vector<std::pair<std::string, std::string>> requests{
      {"GET", "/api/anything"}, {"GET", "/"}, {"GET", "/missing.js"}, {"GET", "/api/throws"}, {"HEAD", "/"}};
  for (const auto& [method, target] : requests) {
    const auto result = http_call(port_, method, target);
    EXPECT_EQ(result.header("X-Content-Type-Options"), "nosniff") << method << " " << target;
    const auto server = result.header("Server");
    EXPECT_TRUE(server.empty() || server == "pingyi") << server;
  }
  const auto refused = http_call(port_, "POST", "/api/x", std::string(max_message_bytes + 1, 'x'));
  EXPECT_EQ(refused.header("X-Content-Type-Options"), "nosniff");
}

TEST_F(HttpServer, IdleConnectionIsClosedAfterTheIdleTimeout) {
  server_options options;
  options.http_idle_timeout = 1s;
  start(options);
  const auto started = std::chrono::steady_clock::now();
  const auto result = pingyi::test::raw_exchange(port_, "", 5s);
  EXPECT_TRUE(result.closed_by_server);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 3s);
}

TEST_F(HttpServer, ConnectionsBeyondMaxConnectionsAreClosedAtOnce) {
  server_options options;
  options.max_connections = 2;
  start(options);
  auto first = std::make_unique<ws_client>(port_, "/ws");
  ws_client second(port_, "/ws");
  EXPECT_THROW((void)http_call(port_, "GET", "/api/x"), boost::system::system_error);
  EXPECT_TRUE(eventually([&] { return metric_is(R"(pingyi_limited_total{which="connections"} 1)"); }));

  first->close();
  first.reset();
  ASSERT_TRUE(eventually([&] { return metric_is(R"(pingyi_connections_open{kind="ws"} 1)"); }));
  EXPECT_EQ(http_call(port_, "GET", "/api/x").status, 200u);
}

TEST_F(HttpServer, StopClosesOpenWebSocketsWithGoingAwayAndRefusesNewConnections) {
  start();
  ws_client client(port_, "/ws");
  ASSERT_TRUE(client.send("before"));
  ASSERT_EQ(client.receive(), "before");

  server_->stop();
  EXPECT_EQ(client.receive(), std::nullopt);
  EXPECT_TRUE(client.closed());
  EXPECT_EQ(client.close_code(), 1001u);  // going away
  ASSERT_TRUE(eventually([&] { return handler_->socket(0)->closes_ == 1; }));
  EXPECT_THROW((void)http_call(port_, "GET", "/api/x", {}, {}, 1s), boost::system::system_error);
}

TEST_F(HttpServer, CreateFailsWithAMessageNamingTheAddressWhenThePortIsTaken) {
  start();
  server_options options;
  options.port = port_;
  std::string error;
  auto second = pingyi::net::http_server::create(io_, options, handler_, metrics_, error);
  EXPECT_EQ(second, nullptr);
  EXPECT_NE(error.find(std::string("127.0.0.1:").append(std::to_string(port_))), std::string::npos) << error;
}

TEST_F(HttpServer, CreateFailsWithAMessageWhenTheTlsFilesAreMissing) {
  start();
  server_options options;
  options.port = 0;
  options.tls = pingyi::net::tls_files{"/nonexistent/cert.pem", "/nonexistent/key.pem"};
  std::string error;
  auto second = pingyi::net::http_server::create(io_, options, handler_, metrics_, error);
  EXPECT_EQ(second, nullptr);
  EXPECT_NE(error.find("/nonexistent/cert.pem"), std::string::npos) << error;
}

// ---------------------------------------------------------------------------------------------
// Static files

class StaticFiles : public server_fixture {
 protected:
  void SetUp() override {
    root_ = dir_.path() / "dist";
    write_file(root_ / "index.html", "<!doctype html><title>pingyi</title>");
    write_file(root_ / "app.js", "console.log(1)");
    write_file(root_ / "m.mjs", "export {}");
    write_file(root_ / "style.css", "body{}");
    write_file(root_ / "data.json", "{}");
    write_file(root_ / "logo.svg", "<svg/>");
    write_file(root_ / "img.png", "png");
    write_file(root_ / "photo.jpg", "jpg");
    write_file(root_ / "favicon.ico", "ico");
    write_file(root_ / "sodium.wasm", "wasm");
    write_file(root_ / "font.woff2", "woff2");
    write_file(root_ / "notes.txt", "notes");
    write_file(root_ / "app.js.map", "{}");
    write_file(root_ / "assets" / "index-4f3a2b1c.js", "hashed");
    write_file(root_ / "sub" / "index.html", "<p>sub</p>");
    write_file(root_ / ".env", "SECRET=1");
    write_file(root_ / "api" / "x", "a file shadowing the API");
    write_file(root_ / "healthz", "a file shadowing /healthz");
    write_file(dir_.path() / "secret.txt", "TOP SECRET");
    fs::create_symlink(dir_.path() / "secret.txt", root_ / "escape.txt");
    fs::create_directory_symlink(dir_.path(), root_ / "outside");
    fs::create_symlink(root_ / "notes.txt", root_ / "inside-link.txt");
    server_options options;
    options.static_dir = root_;
    start(options);
  }

  temp_dir dir_;
  fs::path root_;
};

TEST_F(StaticFiles, ServesEachFileWithItsContentType) {
  const std::vector<std::pair<std::string, std::string>> cases{
      {"/index.html", "text/html; charset=utf-8"},
      {"/app.js", "text/javascript; charset=utf-8"},
      {"/m.mjs", "text/javascript; charset=utf-8"},
      {"/style.css", "text/css; charset=utf-8"},
      {"/data.json", "application/json"},
      {"/logo.svg", "image/svg+xml"},
      {"/img.png", "image/png"},
      {"/photo.jpg", "image/jpeg"},
      {"/favicon.ico", "image/x-icon"},
      {"/sodium.wasm", "application/wasm"},
      {"/font.woff2", "font/woff2"},
      {"/notes.txt", "text/plain; charset=utf-8"},
      {"/app.js.map", "application/json"},
  };
  for (const auto& [target, type] : cases) {
    const auto result = http_call(port_, "GET", target);
    EXPECT_EQ(result.status, 200u) << target;
    EXPECT_EQ(result.header("Content-Type"), type) << target;
  }
  EXPECT_EQ(http_call(port_, "GET", "/notes.txt").body, "notes");
}

TEST_F(StaticFiles, RootAndDirectoriesServeTheirIndexHtmlWithNoCache) {
  const auto root = http_call(port_, "GET", "/");
  EXPECT_EQ(root.status, 200u);
  EXPECT_EQ(root.body, "<!doctype html><title>pingyi</title>");
  EXPECT_EQ(root.header("Cache-Control"), "no-cache");
  EXPECT_EQ(http_call(port_, "GET", "/sub/").body, "<p>sub</p>");
  EXPECT_EQ(http_call(port_, "GET", "/?utm=1").status, 200u);  // a query does not change the file
}

TEST_F(StaticFiles, HashedAssetsAreImmutableAndOtherFilesCachedForAnHour) {
  EXPECT_EQ(http_call(port_, "GET", "/assets/index-4f3a2b1c.js").header("Cache-Control"),
            "public, max-age=31536000, immutable");
  EXPECT_EQ(http_call(port_, "GET", "/app.js").header("Cache-Control"), "public, max-age=3600");
  EXPECT_EQ(http_call(port_, "GET", "/index.html").header("Cache-Control"), "no-cache");
}

TEST_F(StaticFiles, HeadSendsTheHeadersWithoutTheBody) {
  const auto result = http_call(port_, "HEAD", "/notes.txt");
  EXPECT_EQ(result.status, 200u);
  EXPECT_EQ(result.header("Content-Length"), "5");
  EXPECT_EQ(result.header("Content-Type"), "text/plain; charset=utf-8");
  EXPECT_TRUE(result.body.empty());
}

TEST_F(StaticFiles, TraversalAndTricksAreNotFoundNeverForbidden) {
  const std::vector<std::string> attempts{
      "/../secret.txt",
      "/../etc/passwd",
      "/%2e%2e/secret.txt",
      "/%2E%2E/%2e%2e/etc/passwd",
      "/assets/..%2f..%2fsecret.txt",
      "/assets/%2e%2e%2f%2e%2e%2fsecret.txt",
      "/sub/../notes.txt",      // would stay inside the directory: refused all the same
      "/sub/%2e%2e/notes.txt",  // the same, served if ".." were looked for before decoding
      "/%2e%2e%5csecret.txt",
      "/notes.txt%00.html",
      "/%zz",
      "/escape.txt",          // a symlink to a file outside the directory
      "/outside/secret.txt",  // a symlink to a directory outside it
      "/.env",                // hidden files are not the web client
      "/nothing-here.js",
  };
  for (const auto& target : attempts) {
    const auto result = http_call(port_, "GET", target);
    EXPECT_EQ(result.status, 404u) << target;
    EXPECT_EQ(error_code_of(result.body), "NOT_FOUND") << target;
    EXPECT_EQ(result.body.find("SECRET"), std::string::npos) << target;
  }
}

TEST_F(StaticFiles, SymlinkInsideTheDirectoryIsServed) {
  EXPECT_EQ(http_call(port_, "GET", "/inside-link.txt").body, "notes");
}

TEST_F(StaticFiles, PercentEncodedNamesAreDecoded) {
  EXPECT_EQ(http_call(port_, "GET", "/notes%2Etxt").body, "notes");
  EXPECT_EQ(http_call(port_, "GET", "/sub%2findex.html").body, "<p>sub</p>");
}

TEST_F(StaticFiles, ProtocolPathsGoToTheHandlerEvenWhenAFileMatches) {
  EXPECT_EQ(json::parse(http_call(port_, "GET", "/api/x").body)["path"], "/api/x");
  EXPECT_EQ(json::parse(http_call(port_, "GET", "/healthz").body)["path"], "/healthz");
  EXPECT_EQ(json::parse(http_call(port_, "GET", "/metrics").body)["path"], "/metrics");
  EXPECT_EQ(json::parse(http_call(port_, "POST", "/app.js").body)["method"], "POST");
  EXPECT_EQ(handler_->requests().size(), 4u);
}

class StaticFilesNotBuilt : public server_fixture {
 protected:
  void expect_not_built_page(const fs::path& static_dir) {
    server_options options;
    options.static_dir = static_dir;
    start(options);
    const auto root = http_call(port_, "GET", "/");
    EXPECT_EQ(root.status, 200u);
    EXPECT_EQ(root.header("Content-Type"), "text/plain; charset=utf-8");
    EXPECT_NE(root.body.find("not built"), std::string::npos);
    EXPECT_EQ(http_call(port_, "GET", "/app.js").status, 404u);
  }
};

TEST_F(StaticFilesNotBuilt, RootSaysTheWebClientIsNotBuiltWhenNoDirectoryIsGiven) { expect_not_built_page({}); }

TEST_F(StaticFilesNotBuilt, RootSaysTheWebClientIsNotBuiltWhenTheDirectoryIsMissing) {
  expect_not_built_page("/nonexistent/pingyi/dist");
}

// ---------------------------------------------------------------------------------------------
// WebSocket

class WebSocket : public server_fixture {};

TEST_F(WebSocket, EchoesMessagesInOrder) {
  start();
  ws_client client(port_, "/ws");
  for (int i = 0; i < 100; ++i) ASSERT_TRUE(client.send(std::string("m").append(std::to_string(i))));
  for (int i = 0; i < 100; ++i) ASSERT_EQ(client.receive(), std::string("m").append(std::to_string(i)));
  EXPECT_EQ(handler_->socket(0)->messages_, 100);
}

TEST_F(WebSocket, MessagesQueuedWhileOpeningArriveFirst) {
  start();
  ws_client client(port_, "/observe?greet");
  ASSERT_TRUE(client.send("second"));
  EXPECT_EQ(client.receive(), "hello");
  EXPECT_EQ(client.receive(), "second");
  EXPECT_TRUE(eventually([&] { return metric_is(R"(pingyi_connections_open{kind="observe"} 1)"); }));
}

TEST_F(WebSocket, OnCloseIsCalledExactlyOnceWhetherTheClientClosesOrVanishes) {
  start();
  {
    ws_client polite(port_, "/ws");
    ASSERT_TRUE(polite.send("x"));
    ASSERT_EQ(polite.receive(), "x");
    polite.close();
    EXPECT_EQ(polite.close_code(), 1000u);
  }
  {
    ws_client vanishing(port_, "/ws");
    ASSERT_TRUE(vanishing.send("y"));
    ASSERT_EQ(vanishing.receive(), "y");
  }  // destroyed without a close frame
  ASSERT_EQ(handler_->socket_count(), 2u);
  for (std::size_t i = 0; i < 2; ++i) {
    EXPECT_TRUE(eventually([&] { return handler_->socket(i)->closes_ == 1; })) << i;
  }
  std::this_thread::sleep_for(100ms);
  for (std::size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(handler_->socket(i)->closes_, 1) << i;
    EXPECT_EQ(handler_->socket(i)->messages_after_close_, 0) << i;
  }
  EXPECT_TRUE(eventually([&] { return metric_is(R"(pingyi_connections_open{kind="ws"} 0)"); }));
}

TEST_F(WebSocket, MessageOfExactlyOneMebibyteIsDelivered) {
  start();
  ws_client client(port_, "/ws");
  ASSERT_TRUE(client.send(std::string(max_message_bytes, 'a')));
  const auto echoed = client.receive();
  ASSERT_TRUE(echoed);
  EXPECT_EQ(echoed->size(), max_message_bytes);
}

TEST_F(WebSocket, OversizedMessageClosesWith1009) {
  start();
  ws_client client(port_, "/ws");
  (void)client.send(std::string(max_message_bytes + 1, 'a'));
  EXPECT_EQ(client.receive(), std::nullopt);
  EXPECT_TRUE(client.closed());
  EXPECT_EQ(client.close_code(), 1009u);
  EXPECT_TRUE(eventually([&] { return handler_->socket(0)->closes_ == 1; }));
  EXPECT_EQ(handler_->socket(0)->messages_, 0);
  EXPECT_TRUE(metric_is(R"(pingyi_limited_total{which="size"} 1)"));
}

TEST_F(WebSocket, BinaryMessageClosesWith1003) {
  start();
  ws_client client(port_, "/ws");
  ASSERT_TRUE(client.send_binary("\x01\x02"));
  EXPECT_EQ(client.receive(), std::nullopt);
  EXPECT_EQ(client.close_code(), 1003u);
  EXPECT_TRUE(eventually([&] { return handler_->socket(0)->closes_ == 1; }));
  EXPECT_EQ(handler_->socket(0)->messages_, 0);
}

TEST_F(WebSocket, ClientThatNeverReadsIsClosedWhenItsQueueOverflows) {
  server_options options;
  options.max_queued_messages = 8;
  options.max_queued_bytes = 256 * 1024;
  options.messages_per_second = 0;  // no rate limit here
  start(options);

  // A client that reads is not closed by the same bound.
  ws_client reader(port_, "/ws");
  for (int round = 0; round < 20; ++round) {
    ASSERT_TRUE(reader.send("flood 4 32768"));
    for (int i = 0; i < 4; ++i) ASSERT_TRUE(reader.receive()) << round;
  }

  ws_client sluggard(port_, "/ws");
  const auto sluggish = handler_->socket(1);
  ASSERT_TRUE(sluggish);
  const auto deadline = std::chrono::steady_clock::now() + 8s;
  while (sluggish->closes_ == 0 && std::chrono::steady_clock::now() < deadline) {
    if (!sluggard.send("flood 4 32768", 1s)) break;
  }
  EXPECT_TRUE(eventually([&] { return sluggish->closes_ == 1; }, 1s));
  EXPECT_TRUE(metric_is(R"(pingyi_limited_total{which="queue"} 1)")) << render();
  EXPECT_EQ(handler_->socket(0)->closes_, 0);  // the reader is still connected
}

TEST_F(WebSocket, BurstBeyondTheRateLimitGetsRateLimitedPushes) {
  server_options options;
  options.messages_per_second = 0.5;
  options.message_burst = 5;
  start(options);
  ws_client client(port_, "/ws");
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(client.send(std::string("m").append(std::to_string(i))));
  int echoes = 0;
  int pushes = 0;
  for (int i = 0; i < 10; ++i) {
    const auto message = client.receive();
    ASSERT_TRUE(message) << i;
    if (message->starts_with("m")) {
      echoes++;
      continue;
    }
    const auto push = json::parse(*message);
    EXPECT_EQ(push["type"], "error");
    EXPECT_EQ(push["error"]["code"], "RATE_LIMITED");
    EXPECT_FALSE(push.contains("id"));
    pushes++;
  }
  EXPECT_GE(echoes, 5);
  EXPECT_GE(pushes, 4);
  EXPECT_EQ(handler_->socket(0)->messages_, echoes);
  EXPECT_TRUE(metric_is(std::string(R"(pingyi_limited_total{which="rate"} )").append(std::to_string(pushes))));
}

TEST_F(WebSocket, RefusedOrUnknownUpgradeIsAnswered404NotFound) {
  start();
  const pingyi::test::header_list upgrade{{"Connection", "Upgrade"},
                                          {"Upgrade", "websocket"},
                                          {"Sec-WebSocket-Version", "13"},
                                          {"Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="}};
  for (const auto* target : {"/observe?refuse", "/ws?refuse", "/elsewhere"}) {
    const auto result = http_call(port_, "GET", target, {}, upgrade);
    EXPECT_EQ(result.status, 404u) << target;
    EXPECT_EQ(error_code_of(result.body), "NOT_FOUND") << target;
    EXPECT_EQ(result.header("X-Content-Type-Options"), "nosniff");
  }
  EXPECT_THROW(ws_client(port_, "/ws?refuse"), boost::system::system_error);
  EXPECT_EQ(handler_->socket_count(), 0u);
}

// ---------------------------------------------------------------------------------------------
// TLS

class Tls : public server_fixture {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(make_certificate("localhost"));
    server_options options;
    options.tls = pingyi::net::tls_files{cert(), key()};
    start(options);
  }

  // A self-signed certificate for `common_name` and its key, written over the files the server
  // was started with.
  void make_certificate(const std::string& common_name) {
    const auto command = std::string("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes")
                             .append(" -keyout ")
                             .append(key().string())
                             .append(" -out ")
                             .append(cert().string())
                             .append(" -days 1 -subj /CN=")
                             .append(common_name)
                             .append(" >/dev/null 2>&1");
    ASSERT_EQ(std::system(command.c_str()), 0) << command;
  }

  // The common name of the certificate the server presents to a new connection.
  [[nodiscard]] std::string served_common_name() const {
    boost::asio::io_context io;
    boost::beast::ssl_stream<boost::beast::tcp_stream> stream(io, pingyi::test::detail::client_tls_context());
    boost::beast::get_lowest_layer(stream).connect({boost::asio::ip::make_address("127.0.0.1"), port_});
    stream.handshake(boost::asio::ssl::stream_base::client);
    X509* certificate = SSL_get1_peer_certificate(stream.native_handle());
    if (certificate == nullptr) return {};
    char name[256] = {};
    const int n = X509_NAME_get_text_by_NID(X509_get_subject_name(certificate), NID_commonName, name, sizeof name);
    X509_free(certificate);
    return n > 0 ? std::string(name, static_cast<std::size_t>(n)) : std::string();
  }

  [[nodiscard]] fs::path cert() const { return dir_.path() / "cert.pem"; }
  [[nodiscard]] fs::path key() const { return dir_.path() / "key.pem"; }

  temp_dir dir_;
};

TEST_F(Tls, ServesHttpAndWebSocketOverTls) {
  const auto result = pingyi::test::https_call(port_, "POST", "/api/over-tls", "body");
  ASSERT_EQ(result.status, 200u);
  EXPECT_EQ(json::parse(result.body)["body"], "body");

  pingyi::test::wss_client client(port_, "/ws");
  ASSERT_TRUE(client.send("over tls"));
  EXPECT_EQ(client.receive(), "over tls");
  client.close();
  EXPECT_EQ(client.close_code(), 1000u);
}

// A renewed certificate is taken up without a restart (pingyi-server does this on SIGHUP); a
// connection already open is not disturbed; files that cannot be loaded leave the server on the
// certificate it had, with an error naming the file.
TEST_F(Tls, ReloadServesTheRenewedCertificateAndKeepsTheLastGoodOneOnBadFiles) {
  EXPECT_EQ(served_common_name(), "localhost");
  pingyi::test::wss_client open_before(port_, "/ws");
  ASSERT_TRUE(open_before.send("before"));
  EXPECT_EQ(open_before.receive(), "before");

  ASSERT_NO_FATAL_FAILURE(make_certificate("renewed.example"));
  std::string error;
  ASSERT_TRUE(server_->reload_tls(error)) << error;
  EXPECT_EQ(served_common_name(), "renewed.example");
  ASSERT_TRUE(open_before.send("still here"));
  EXPECT_EQ(open_before.receive(), "still here");

  std::ofstream(key(), std::ios::trunc) << "not a key\n";
  error.clear();
  EXPECT_FALSE(server_->reload_tls(error));
  EXPECT_NE(error.find(key().string()), std::string::npos) << error;
  EXPECT_EQ(served_common_name(), "renewed.example");
  const auto result = pingyi::test::https_call(port_, "POST", "/api/after-a-failed-reload", "body");
  EXPECT_EQ(result.status, 200u);
}

TEST_F(HttpServer, ReloadWithoutTlsSaysSoAndChangesNothing) {
  start();
  std::string error;
  EXPECT_FALSE(server_->reload_tls(error));
  EXPECT_NE(error.find("not serving TLS"), std::string::npos) << error;
  EXPECT_EQ(http_call(port_, "GET", "/api/still-served").status, 200u);
}

TEST_F(Tls, PlainHttpIsNotServedOnATlsPort) {
  const auto result = pingyi::test::raw_exchange(port_, "GET /api/x HTTP/1.1\r\nHost: x\r\n\r\n", 3s);
  EXPECT_EQ(result.bytes.find("HTTP/1.1 200"), std::string::npos);
  EXPECT_TRUE(handler_->requests().empty());
}

// ---------------------------------------------------------------------------------------------
// Metrics

// `pingyi_name 12` or `pingyi_name{label="value"} 0.5` (no std::regex: GCC 12 with sanitizers
// warns inside <regex>).
bool is_sample_line(std::string_view line) {
  if (!line.starts_with("pingyi_")) return false;
  std::size_t i = 0;
  while (i < line.size() && ((line[i] >= 'a' && line[i] <= 'z') || line[i] == '_')) ++i;
  if (i < line.size() && line[i] == '{') {
    const auto close = line.find("\"} ", i);
    const auto equals = line.find("=\"", i);
    if (close == std::string_view::npos || equals == std::string_view::npos || equals > close) return false;
    i = close + 2;
  }
  if (i >= line.size() || line[i] != ' ') return false;
  const auto value = line.substr(i + 1);
  return !value.empty() && value.find_first_not_of("0123456789.e+-") == std::string_view::npos;
}

TEST(Metrics, RenderIsPrometheusTextWithCumulativeBuckets) {
  pingyi::net::metrics m;
  m.connection_opened("ws");
  m.connection_opened("ws");
  m.connection_closed("ws");
  m.http_request(200);
  m.http_request(201);
  m.http_request(404);
  m.ws_message();
  m.limited("rate");
  m.sessions(3);
  m.record_appended("ballot");
  m.ballot_accepted();
  m.ballot_rejected("INVALID_PROOF");
  m.commit_latency(0.003);
  m.commit_latency(0.2);
  m.commit_latency(10);
  const auto text = m.render();
  for (const auto* line : {
           "# TYPE pingyi_connections_open gauge",
           R"(pingyi_connections_open{kind="ws"} 1)",
           R"(pingyi_connections_opened_total{kind="ws"} 2)",
           R"(pingyi_connections_open{kind="http"} 0)",
           "# TYPE pingyi_http_requests_total counter",
           R"(pingyi_http_requests_total{class="2xx"} 2)",
           R"(pingyi_http_requests_total{class="4xx"} 1)",
           "pingyi_ws_messages_total 1",
           R"(pingyi_limited_total{which="rate"} 1)",
           R"(pingyi_limited_total{which="queue"} 0)",
           "pingyi_sessions 3",
           R"(pingyi_records_appended_total{type="ballot"} 1)",
           "pingyi_ballots_accepted_total 1",
           R"(pingyi_ballots_rejected_total{code="INVALID_PROOF"} 1)",
           "# TYPE pingyi_commit_latency_seconds histogram",
           R"(pingyi_commit_latency_seconds_bucket{le="0.0005"} 0)",
           R"(pingyi_commit_latency_seconds_bucket{le="0.0025"} 0)",
           R"(pingyi_commit_latency_seconds_bucket{le="0.005"} 1)",
           R"(pingyi_commit_latency_seconds_bucket{le="0.25"} 2)",
           R"(pingyi_commit_latency_seconds_bucket{le="2.5"} 2)",
           R"(pingyi_commit_latency_seconds_bucket{le="+Inf"} 3)",
           "pingyi_commit_latency_seconds_sum 10.203",
           "pingyi_commit_latency_seconds_count 3",
       }) {
    EXPECT_NE(text.find(std::string(line).append("\n")), std::string::npos) << line << "\n" << text;
  }
  // Every line is a comment or `name{labels} value`, and every family has HELP and TYPE.
  std::size_t helps = 0;
  std::size_t types = 0;
  std::size_t start = 0;
  while (start < text.size()) {
    const auto end = text.find('\n', start);
    ASSERT_NE(end, std::string::npos) << "the text ends with a newline";
    const auto line = text.substr(start, end - start);
    if (line.starts_with("# HELP pingyi_")) {
      helps++;
    } else if (line.starts_with("# TYPE pingyi_")) {
      types++;
    } else {
      EXPECT_TRUE(is_sample_line(line)) << line;
    }
    start = end + 1;
  }
  EXPECT_EQ(helps, types);
  EXPECT_EQ(helps, 10u);
}

TEST(Metrics, LabelValuesAreEscaped) {
  pingyi::net::metrics m;
  m.ballot_rejected("A\"B\\C");
  EXPECT_NE(m.render().find(R"(pingyi_ballots_rejected_total{code="A\"B\\C"} 1)"), std::string::npos);
}

class ServerMetrics : public server_fixture {};

TEST_F(ServerMetrics, CountsConnectionsRequestsAndMessages) {
  start();
  EXPECT_EQ(http_call(port_, "GET", "/api/x").status, 200u);
  EXPECT_EQ(http_call(port_, "GET", "/missing").status, 404u);
  ws_client client(port_, "/ws");
  ASSERT_TRUE(client.send("one"));
  ASSERT_EQ(client.receive(), "one");
  EXPECT_TRUE(metric_is(R"(pingyi_connections_open{kind="ws"} 1)"));
  EXPECT_TRUE(metric_is(R"(pingyi_http_requests_total{class="2xx"} 1)"));
  EXPECT_TRUE(metric_is(R"(pingyi_http_requests_total{class="4xx"} 1)"));
  EXPECT_TRUE(metric_is("pingyi_ws_messages_total 1"));
  client.close();
  EXPECT_TRUE(eventually([&] { return metric_is(R"(pingyi_connections_open{kind="ws"} 0)"); }));
  EXPECT_TRUE(eventually([&] { return metric_is(R"(pingyi_connections_open{kind="http"} 0)"); }));
  EXPECT_TRUE(metric_is(R"(pingyi_connections_opened_total{kind="http"} 3)"));
}

}  // namespace
