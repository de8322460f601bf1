// pingyi-server's command line: every option, its default and its check, parsed with CLI11 into
// one plain value. Parsing is an edge (STYLE.md): CLI11's exceptions stop here.
#pragma once

#include <spdlog/common.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <variant>

namespace pingyi::app {

struct server_config {
  std::string host = "127.0.0.1";  // an IP address (IPv6 without brackets)
  std::uint16_t port = 8080;       // 0: any free port
  std::filesystem::path data_dir = "pingyi-data";
  std::filesystem::path static_dir;  // empty: no web client
  // Empty: <data-dir>/admin-token.
  std::filesystem::path admin_token_file;
  std::optional<std::filesystem::path> tls_certificate_chain;
  std::optional<std::filesystem::path> tls_private_key;
  std::size_t io_threads = 2;
  std::size_t worker_threads = 2;
  bool demo = false;
  bool demo_fresh = false;  // implies demo
  spdlog::level::level_enum log_level = spdlog::level::info;
  bool log_json = false;  // --log-format json: one JSON object per line (json_log.hpp)
};

// "127.0.0.1:8080", "[::1]:8080", ":8080" (all IPv4 interfaces) → host and port; nullopt for
// anything else, with `error` saying why.
struct listen_address {
  std::string host;
  std::uint16_t port = 0;
};
[[nodiscard]] std::optional<listen_address> parse_listen_address(const std::string& text, std::string& error);

// Either the configuration, or the exit code of a run that ends here (--help: 0, a bad
// option: non-zero, its message already printed).
[[nodiscard]] std::variant<server_config, int> parse_command_line(int argc, char** argv);

}  // namespace pingyi::app
