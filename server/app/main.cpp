// pingyi-server: opens the store, starts the protocol service and the Beast transport on one
// io_context, optionally creates the demo session, and shuts down cleanly on SIGINT/SIGTERM.
// The start order is the durability order: nothing listens before every stored session has
// replayed, and on the way down nothing is closed before what it depends on has finished.
// clang-format off
#include <utility>  // first: Boost 1.74's Asio needs it before its awaitable header
// clang-format on

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <sys/resource.h>

#include <algorithm>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <iostream>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <variant>
#include <vector>

#include "admin_token.hpp"
#include "backup_command.hpp"
#include "command_line.hpp"
#include "data_dir.hpp"
#include "demo_session.hpp"
#include "json_log.hpp"
#include "pingyi/crypto/bytes.hpp"
#include "pingyi/crypto/init.hpp"
#include "pingyi/net/http_server.hpp"
#include "pingyi/net/metrics.hpp"
#include "pingyi/net/service.hpp"
#include "pingyi/store/chain_store.hpp"
#include "web_routes.hpp"

namespace {

namespace app = pingyi::app;
namespace net = pingyi::net;
namespace store = pingyi::store;
namespace asio = boost::asio;

// How long the io threads get to finish closing connections after the server stopped, before
// the io_context is stopped under them.
constexpr std::chrono::seconds drain_timeout{2};

// Start-up failures go to stderr as one plain sentence, whatever the log level.
int fatal(const std::string& message) {
  std::fprintf(stderr, "pingyi-server: %s\n", message.c_str());
  return 1;
}

void configure_logging(spdlog::level::level_enum level, bool json) {
  std::shared_ptr<spdlog::logger> logger;
  if (json) {
    logger = app::make_json_stderr_logger("pingyi");
  } else {
    logger = spdlog::stderr_color_mt("pingyi");
    logger->set_pattern("%Y-%m-%d %H:%M:%S.%e %^%-5l%$ %v");
  }
  logger->set_level(level);
  logger->flush_on(spdlog::level::warn);
  spdlog::set_default_logger(std::move(logger));
}

// Every connection holds a descriptor. A soft limit of 1,024 open files (most shells' and
// systemd's default) would cap the server far below its max_connections (PROTOCOL.md §8): the
// listener would fail to accept with EMFILE instead of refusing connections beyond the limit. Any
// process may raise its soft limit up to the hard one, so do that, and say so when the hard limit
// itself is too low.
void raise_open_file_limit(rlim_t wanted) {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return;
  const rlim_t target = std::min(limit.rlim_max, wanted);
  if (limit.rlim_cur < target) {
    const rlim_t before = limit.rlim_cur;
    limit.rlim_cur = target;
    if (::setrlimit(RLIMIT_NOFILE, &limit) != 0) limit.rlim_cur = before;
  }
  if (limit.rlim_cur < wanted) {
    spdlog::warn(
        "open files are limited to {} (RLIMIT_NOFILE, wanted {}): raise the hard limit to serve every "
        "connection up to the connection limit",
        static_cast<unsigned long long>(limit.rlim_cur), static_cast<unsigned long long>(wanted));
  }
}

// What the main thread waits for: a signal, or an io thread that failed.
class shutdown_request {
 public:
  void request(int exit_code) {
    {
      const std::lock_guard lock(mutex_);
      if (exit_code_) return;
      exit_code_ = exit_code;
    }
    changed_.notify_all();
  }
  [[nodiscard]] int wait() {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return exit_code_.has_value(); });
    return *exit_code_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::optional<int> exit_code_;
};

// The io threads, and a way to wait a bounded time for all of them to return.
class io_threads {
 public:
  io_threads(asio::io_context& io, std::size_t n, shutdown_request& shutdown) : io_(io) {
    for (std::size_t i = 0; i < n; ++i) {
      threads_.emplace_back([this, &io, &shutdown] {
        try {
          io.run();
        } catch (const std::exception& e) {
          spdlog::critical("io thread stopped by an exception: {}", e.what());
          shutdown.request(1);
        }
        const std::lock_guard lock(mutex_);
        ++finished_;
        changed_.notify_all();
      });
    }
  }
  io_threads(const io_threads&) = delete;
  io_threads& operator=(const io_threads&) = delete;
  // Only reached without a shutdown when an exception unwinds run(): stop the io so that the
  // threads return instead of waiting for work forever.
  ~io_threads() {
    io_.stop();
    join();
  }

  // True when every thread returned from run() within `timeout`.
  [[nodiscard]] bool wait_for(std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, timeout, [&] { return finished_ == threads_.size(); });
  }
  void join() {
    for (auto& t : threads_) {
      if (t.joinable()) t.join();
    }
  }

 private:
  asio::io_context& io_;
  std::vector<std::thread> threads_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::size_t finished_ = 0;
};

// SIGINT and SIGTERM ask for a clean shutdown (exit 0); a second one, while the first is being
// served, exits at once.
void wait_for_signal(asio::signal_set& signals, shutdown_request& shutdown, bool already_asked) {
  signals.async_wait([&signals, &shutdown, already_asked](const boost::system::error_code& ec, int signo) {
    if (ec) return;  // cancelled
    if (already_asked) {
      spdlog::warn("signal {} again: exiting without finishing the shutdown", signo);
      std::_Exit(1);
    }
    shutdown.request(0);
    wait_for_signal(signals, shutdown, true);
  });
}

// SIGHUP reloads the TLS certificate and key from their files (a renewed certificate) without a
// restart; a reload that fails leaves the server on the certificate it had. Without TLS it only
// says so (a hangup never stops the server).
void wait_for_reload(asio::signal_set& hangups, net::http_server& server) {
  hangups.async_wait([&hangups, &server](const boost::system::error_code& ec, int) {
    if (ec) return;  // cancelled
    std::string error;
    if (server.reload_tls(error)) {
      spdlog::info("SIGHUP: TLS certificate and key reloaded; new connections use them");
    } else {
      spdlog::error("SIGHUP: TLS not reloaded, still serving the previous certificate: {}", error);
    }
    wait_for_reload(hangups, server);
  });
}

std::string listening_url(const app::server_config& config, std::uint16_t port) {
  std::string url = config.tls_certificate_chain ? "https://" : "http://";
  if (config.host.find(':') != std::string::npos) {
    url.append("[").append(config.host).append("]");
  } else {
    url.append(config.host);
  }
  return url.append(":").append(std::to_string(port));
}

// --demo: the demo session to show, reusing demo.json's when the store holds it, creating one
// when the store holds no session at all, and otherwise none (a data directory with real
// sessions is not the place for a demo). nullopt with `error` on a failure that must stop the
// server.
struct demo_plan {
  std::optional<app::demo_session> reuse;
  bool create = false;
  std::string note;  // why there is no demo session
};

std::optional<demo_plan> plan_demo(const app::data_dir& dir, const store::chain_store& chains, std::string& error) {
  auto saved = app::read_demo_file(dir.demo(), error);
  if (!saved && !error.empty()) return std::nullopt;
  auto sessions = chains.list_sessions();
  if (!sessions) {
    error = "cannot list the stored sessions: " + store::describe(sessions.error());
    return std::nullopt;
  }
  demo_plan plan;
  if (saved) {
    for (const auto& s : *sessions) {
      if (pingyi::crypto::to_hex(s.id) == saved->session) {
        plan.reuse = std::move(saved);
        return plan;
      }
    }
  }
  if (sessions->empty()) {
    plan.create = true;
    return plan;
  }
  plan.note = "--demo: " + dir.root.string() + " already holds " + std::to_string(sessions->size()) +
              " session(s) and none is the demo's, so no demo session is created (--demo-fresh starts afresh)";
  return plan;
}

int run(const app::server_config& config) {
  configure_logging(config.log_level, config.log_json);
  // The connections, and room for the store, the secrets and the worker threads' descriptors.
  raise_open_file_limit(static_cast<rlim_t>(pingyi::net::server_options{}.max_connections) + 1'024);
  if (!pingyi::crypto::init()) return fatal("libsodium failed to initialise");

  const app::data_dir dir{config.data_dir};
  std::string error;
  if (!app::ensure_data_dir(dir, error)) return fatal(error);

  // --demo-fresh deletes files another server may be using: first make sure none is (the store's
  // lock says so), then delete, then open afresh below.
  if (config.demo_fresh) {
    {
      auto probe = store::chain_store::open(dir.database());
      if (!probe && probe.error().code == store::error_code::busy) {
        return fatal("another pingyi-server has " + dir.database().string() + " open");
      }
    }
    std::cout << "--demo-fresh: deleting the database, the secrets file and demo.json in " << dir.root.string()
              << " (the admin token is kept)" << std::endl;
    if (!app::wipe_demo_state(dir, error)) return fatal(error);
  }

  // 1. The store.
  auto opened = store::chain_store::open(dir.database());
  if (!opened) {
    if (opened.error().code == store::error_code::busy) {
      return fatal("another pingyi-server has " + dir.database().string() + " open");
    }
    return fatal("cannot open the store " + dir.database().string() + ": " + store::describe(opened.error()));
  }
  // Declared before the io_context so that it outlives every handler the io_context still holds
  // when it is destroyed (the service requires the store to outlive it).
  store::chain_store chains = std::move(opened).value();

  // After the store: a server that cannot have the database creates no token.
  const auto token_file = config.admin_token_file.empty() ? dir.admin_token() : config.admin_token_file;
  auto token = app::load_or_create_admin_token(token_file, error);
  if (!token) return fatal(error);
  if (token->created) {
    // The one time the token is shown (DESIGN.md §2); it is never logged.
    std::cout << "admin token (shown this once; kept in " << token_file.string() << ", mode 0600):\n  " << token->value
              << std::endl;
  }

  asio::io_context io{static_cast<int>(config.io_threads)};
  auto work = asio::make_work_guard(io);
  shutdown_request shutdown;
  asio::signal_set signals(io, SIGINT, SIGTERM);
  wait_for_signal(signals, shutdown, false);

  // 2. The protocol: every stored session replays before anything listens.
  auto counters = std::make_shared<net::metrics>();
  net::service_options service_options;
  service_options.secrets_file = dir.secrets();
  service_options.admin_token = token->value;
  service_options.worker_threads = config.worker_threads;
  auto service = net::service::start(io, chains, service_options, counters, error);
  if (!service) return fatal(error.empty() ? "the service did not start" : error);

  // 3. The transport.
  net::server_options server_options;
  server_options.address = config.host;
  server_options.port = config.port;
  server_options.static_dir = config.static_dir;
  if (config.tls_certificate_chain && config.tls_private_key) {
    server_options.tls = net::tls_files{*config.tls_certificate_chain, *config.tls_private_key};
  }
  auto server = net::http_server::create(io, server_options, service, counters, error);
  if (!server) {
    service->stop();
    chains.close();
    return fatal(error.empty() ? "cannot listen" : error);
  }

  std::optional<demo_plan> demo;
  if (config.demo) {
    demo = plan_demo(dir, chains, error);
    if (!demo) {
      server->stop();
      service->stop();
      chains.close();
      return fatal(error);
    }
  }

  asio::signal_set hangups(io, SIGHUP);
  wait_for_reload(hangups, *server);

  // 4. Serve.
  io_threads threads(io, config.io_threads, shutdown);
  const std::string url = listening_url(config, server->port());
  spdlog::info("pingyi-server listening on {} ({} io threads, {} workers)", url, config.io_threads,
               config.worker_threads);
  std::cout << "listening on " << url << std::endl;
  if (config.static_dir.empty()) {
    std::cout << "no web client: client-web is not built (the server answers / with a page saying so)" << std::endl;
  }

  int exit_code = 0;
  if (demo) {
    const std::string base = app::base_url(config.tls_certificate_chain.has_value(), config.host, server->port());
    std::optional<app::demo_session> session = std::move(demo->reuse);
    if (session) {
      std::cout << "--demo: reusing the demo session of " << dir.demo().string() << std::endl;
    } else if (demo->create) {
      session = app::create_demo_session(*service, token->value, app::local_date_today(), error);
      if (!session) {
        std::cerr << "pingyi-server: --demo: the demo session was not created: " << error << std::endl;
        exit_code = 1;
        shutdown.request(1);
      } else if (!app::write_demo_file(dir.demo(), *session, error)) {
        std::cerr << "pingyi-server: --demo: " << error << std::endl;
        exit_code = 1;
        shutdown.request(1);
      } else {
        spdlog::info("demo session created");
      }
    } else {
      std::cout << demo->note << std::endl;
    }
    if (session && exit_code == 0) {
      app::print_demo_urls(std::cout, base, *session, token_file);
      if (config.host == "0.0.0.0" || config.host == "::") {
        std::cout << "  (from other devices, use this machine's address on the room's network instead of "
                     "the loopback address)"
                  << std::endl;
      }
    }
  }

  exit_code = shutdown.wait();

  // The way down: stop taking work, finish what is in flight (the service replies to requests
  // whose records are committing), let the store commit what is queued, then stop the io.
  spdlog::info("shutting down");
  server->stop();
  service->stop();
  chains.close();
  if (const auto failure = chains.failure()) {
    spdlog::error("the store had stopped: {}", store::describe(*failure));
    exit_code = 1;
  }
  // The signal wait would keep run() from returning; cancel it where it runs (a signal_set is
  // not thread-safe). From here on a second signal is simply ignored: the drain is bounded.
  asio::post(io, [&signals, &hangups] {
    boost::system::error_code ignored;
    signals.cancel(ignored);
    hangups.cancel(ignored);
  });
  work.reset();
  if (!threads.wait_for(drain_timeout)) io.stop();
  threads.join();
  server->abandon_connections();
  service->release_connections();
  spdlog::info("stopped");
  spdlog::shutdown();
  return exit_code;
}

}  // namespace

int main(int argc, char** argv) {
  if (pingyi::app::is_command(argc, argv)) return pingyi::app::run_command(argc, argv);
  auto parsed = pingyi::app::parse_command_line(argc, argv);
  if (const int* exit_code = std::get_if<int>(&parsed)) return *exit_code;
  try {
    return run(std::get<pingyi::app::server_config>(parsed));
  } catch (const std::exception& e) {
    return fatal(std::string("stopped by an exception: ") + e.what());
  }
}
