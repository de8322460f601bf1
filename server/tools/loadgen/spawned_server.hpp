// --spawn: a pingyi-server started by the tool itself on a fresh data directory (and admin token
// file) under /tmp, on a free loopback port, and stopped with SIGTERM when the run ends; the data
// directory is deleted afterwards unless asked to keep it.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace pingyi::loadgen {

class spawned_server {
 public:
  // Starts `binary --data-dir … --admin-token-file … --listen 127.0.0.1:0 extra…` and waits (at
  // most `timeout`) for its "listening on" line. Throws std::runtime_error saying why it failed.
  spawned_server(const std::string& binary, const std::vector<std::string>& extra, std::chrono::seconds timeout);
  spawned_server(const spawned_server&) = delete;
  spawned_server& operator=(const spawned_server&) = delete;
  ~spawned_server();

  [[nodiscard]] pid_t pid() const noexcept { return pid_; }
  [[nodiscard]] std::uint16_t port() const noexcept { return port_; }
  [[nodiscard]] const std::string& admin_token() const noexcept { return admin_token_; }
  [[nodiscard]] const std::filesystem::path& directory() const noexcept { return dir_; }

  // SIGTERM, then SIGKILL after 10 s; true when it exited with code 0.
  bool stop();
  void keep_directory() noexcept { keep_ = true; }

 private:
  std::filesystem::path dir_;
  pid_t pid_ = -1;
  int out_ = -1;
  std::uint16_t port_ = 0;
  std::string admin_token_;
  bool stopped_ = false;
  bool keep_ = false;
};

}  // namespace pingyi::loadgen
