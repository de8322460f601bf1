// The data directory of one pingyi-server: where its database, secrets file, admin token and
// demo file live, created private (0700), and the --demo-fresh wipe.
#pragma once

#include <filesystem>
#include <string>

namespace pingyi::app {

struct data_dir {
  std::filesystem::path root;

  [[nodiscard]] std::filesystem::path database() const { return root / "pingyi.db"; }
  [[nodiscard]] std::filesystem::path secrets() const { return root / "secrets"; }
  [[nodiscard]] std::filesystem::path admin_token() const { return root / "admin-token"; }
  [[nodiscard]] std::filesystem::path demo() const { return root / "demo.json"; }
};

// Creates the directory (and its parents) if missing, the directory itself with mode 0700.
// An existing directory is used as it is, but refused when it is not a directory.
[[nodiscard]] bool ensure_data_dir(const data_dir& dir, std::string& error);

// Deletes the database (with its -wal, -shm and -journal files), the secrets file and the demo
// file; keeps the admin token. The caller has made sure no server has the database open.
[[nodiscard]] bool wipe_demo_state(const data_dir& dir, std::string& error);

// Writes all of `text` to `fd`, retrying short writes and EINTR; false on any other failure.
// (The admin token and the demo file are written with it, each then fsync'ed by its caller.)
[[nodiscard]] bool write_all(int fd, const std::string& text);

}  // namespace pingyi::app
