// pingyi-server's options (see command_line.hpp), with the defaults the README and
// deploy/demo.sh rely on.
#include "command_line.hpp"

#include <CLI/CLI.hpp>
#include <charconv>
#include <cstdio>
#include <system_error>

namespace pingyi::app {

namespace {

namespace fs = std::filesystem;

// The web client built in the source tree this program was built from, if it has been built.
fs::path default_static_dir() {
  const fs::path dist = fs::path(PINGYI_SOURCE_DIR) / "client-web" / "dist";
  std::error_code ec;
  return fs::is_directory(dist, ec) ? dist : fs::path{};
}

}  // namespace

std::optional<listen_address> parse_listen_address(const std::string& text, std::string& error) {
  std::string host;
  std::string port_text;
  if (!text.empty() && text.front() == '[') {
    const auto close = text.find(']');
    if (close == std::string::npos || close + 1 >= text.size() || text[close + 1] != ':') {
      error = "expected [IPv6 address]:port";
      return std::nullopt;
    }
    host = text.substr(1, close - 1);
    port_text = text.substr(close + 2);
  } else {
    const auto colon = text.rfind(':');
    if (colon == std::string::npos) {
      error = "expected host:port";
      return std::nullopt;
    }
    host = text.substr(0, colon);
    port_text = text.substr(colon + 1);
    if (host.find(':') != std::string::npos) {
      error = "an IPv6 address goes in brackets: [::1]:8080";
      return std::nullopt;
    }
    if (host.empty()) host = "0.0.0.0";
  }
  if (host.empty()) {
    error = "the address is empty";
    return std::nullopt;
  }
  if (host == "localhost") host = "127.0.0.1";
  unsigned port = 0;
  const auto* end = port_text.data() + port_text.size();
  const auto [ptr, ec] = std::from_chars(port_text.data(), end, port);
  if (port_text.empty() || ec != std::errc{} || ptr != end || port > 65535) {
    error = "the port must be a number from 0 to 65535";
    return std::nullopt;
  }
  return listen_address{std::move(host), static_cast<std::uint16_t>(port)};
}

std::variant<server_config, int> parse_command_line(int argc, char** argv) {
  server_config config;
  CLI::App app{"pingyi-server — secret-ballot server for live committee voting (pingyi/1)", "pingyi-server"};
  app.footer(
      "Commands:\n"
      "  pingyi-server backup --data-dir DIR --to FILE     a consistent backup while the server runs\n"
      "  pingyi-server restore --from FILE --data-dir DIR  restore it into a new data directory");

  std::string listen = "127.0.0.1:8080";
  app.add_option("--listen", listen, "address:port to listen on; port 0 picks a free port")->capture_default_str();
  std::string data_dir = config.data_dir.string();
  app.add_option("--data-dir", data_dir,
                 "directory (created 0700) holding pingyi.db, the secrets file and, by default, the admin token")
      ->capture_default_str();
  std::string static_dir;
  app.add_option("--static-dir", static_dir,
                 "the built web client to serve (default: client-web/dist of the source tree, if built)")
      ->check(CLI::ExistingDirectory);
  std::string admin_token_file;
  app.add_option("--admin-token-file", admin_token_file,
                 "the admin token file (default: <data-dir>/admin-token); created 0600 at first start, the "
                 "token then printed once");
  std::string tls_cert;
  std::string tls_key;
  auto* cert_option = app.add_option("--tls-cert", tls_cert, "TLS certificate chain (PEM); serve HTTPS and WSS (SIGHUP reloads both files)")
                          ->check(CLI::ExistingFile);
  auto* key_option = app.add_option("--tls-key", tls_key, "TLS private key (PEM)")->check(CLI::ExistingFile);
  cert_option->needs(key_option);
  key_option->needs(cert_option);
  app.add_option("--threads", config.io_threads, "io_context threads")
      ->capture_default_str()
      ->check(CLI::Range(1, 256));
  app.add_option("--workers", config.worker_threads, "worker threads (ballot proofs, chain reads)")
      ->capture_default_str()
      ->check(CLI::Range(1, 256));
  app.add_flag("--demo", config.demo, "create the demo session if the data directory has none, and print its URLs");
  app.add_flag("--demo-fresh", config.demo_fresh,
               "start the demo afresh: delete the data directory's database, secrets and demo.json first "
               "(implies --demo; keeps the admin token)");
  std::string log_level = "info";
  app.add_option("--log-level", log_level, "log level (to stderr)")
      ->capture_default_str()
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "critical", "off"}));
  std::string log_format = "text";
  app.add_option("--log-format", log_format, "text, or json: one JSON object per line {time, level, msg}")
      ->capture_default_str()
      ->check(CLI::IsMember({"text", "json"}));

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help prints and exits 0; any other parse error has printed its message: a usage error.
    return app.exit(e) == 0 ? 0 : 2;
  }

  std::string error;
  const auto address = parse_listen_address(listen, error);
  if (!address) {
    std::fprintf(stderr, "pingyi-server: --listen %s: %s\n", listen.c_str(), error.c_str());
    return 2;
  }
  config.host = address->host;
  config.port = address->port;
  config.data_dir = data_dir;
  config.static_dir = static_dir.empty() ? default_static_dir() : fs::path(static_dir);
  config.admin_token_file = admin_token_file;
  if (!tls_cert.empty()) {
    config.tls_certificate_chain = tls_cert;
    config.tls_private_key = tls_key;
  }
  config.demo = config.demo || config.demo_fresh;
  config.log_level = spdlog::level::from_str(log_level);
  config.log_json = log_format == "json";
  return config;
}

}  // namespace pingyi::app
