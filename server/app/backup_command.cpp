// pingyi-server backup / restore (backup_command.hpp).
#include "backup_command.hpp"

#include <CLI/CLI.hpp>
#include <filesystem>
#include <iostream>
#include <string>
#include <string_view>
#include <system_error>

#include "data_dir.hpp"
#include "pingyi/crypto/bytes.hpp"
#include "pingyi/crypto/init.hpp"
#include "pingyi/store/backup.hpp"
#include "pingyi/store/chain_store.hpp"
#include "pingyi/store/replay.hpp"

namespace pingyi::app {
namespace {

namespace fs = std::filesystem;

constexpr int done = 0;
constexpr int failed = 1;
constexpr int bad_usage = 2;

void print_sessions(const store::backup_summary& summary) {
  std::cout << "  " << summary.sessions.size() << " session(s):\n";
  for (const auto& s : summary.sessions) {
    std::cout << "    " << crypto::to_hex(s.id) << "  " << s.length << " records\n";
  }
}

int backup(const fs::path& data_dir, const fs::path& to) {
  const app::data_dir dir{data_dir};
  auto summary = store::write_backup(dir.database(), dir.secrets(), to);
  if (!summary) {
    std::cerr << "pingyi-server backup: " << store::describe(summary.error()) << std::endl;
    return failed;
  }
  std::cout << "backup written: " << to.string() << " (" << summary->bytes << " bytes, mode 0600)\n";
  print_sessions(*summary);
  std::cout << "It holds the server's secret keys: keep it as safe as the data directory." << std::endl;
  return done;
}

int restore(const fs::path& from, const fs::path& data_dir) {
  const app::data_dir dir{data_dir};
  std::string error;
  if (!ensure_data_dir(dir, error)) {
    std::cerr << "pingyi-server restore: " << error << std::endl;
    return failed;
  }
  auto summary = store::restore_backup(from, dir.database(), dir.secrets());
  if (!summary) {
    std::cerr << "pingyi-server restore: " << store::describe(summary.error()) << std::endl;
    return failed;
  }
  // What a starting server does first: every session replays through apply. A backup that does
  // not is no backup; nothing of it is left in the directory.
  std::string replay_error;
  {
    auto chains = store::chain_store::open(dir.database());
    if (!chains) {
      replay_error = store::describe(chains.error());
    } else if (auto states = store::replay_all(*chains); !states) {
      replay_error = states.error().message();
    }
  }
  if (!replay_error.empty()) {
    for (const char* suffix : {"", "-wal", "-shm", ".lock"}) {
      std::error_code ignored;
      fs::remove(dir.database().string() + suffix, ignored);
    }
    std::error_code ignored;
    fs::remove(dir.secrets(), ignored);
    std::cerr << "pingyi-server restore: the backup does not replay, nothing was restored: " << replay_error
              << std::endl;
    return failed;
  }
  std::cout << "restored " << from.string() << " into " << data_dir.string() << "; every session replays\n";
  print_sessions(*summary);
  std::cout << "Start the server with --data-dir " << data_dir.string()
            << " (the admin token is not in a backup: a new one is made at first start, or pass "
               "--admin-token-file)."
            << std::endl;
  return done;
}

}  // namespace

bool is_command(int argc, char** argv) {
  if (argc < 2) return false;
  const std::string_view first = argv[1];
  return first == "backup" || first == "restore";
}

int run_command(int argc, char** argv) {
  const std::string command = argv[1];
  CLI::App app{command == "backup"
                   ? "pingyi-server backup — a consistent copy of the store and its secrets, taken while the server runs"
                   : "pingyi-server restore — a backup into a new data directory, replayed before it is declared done",
               "pingyi-server " + command};
  std::string data_dir;
  std::string file;
  if (command == "backup") {
    app.add_option("--data-dir", data_dir, "the data directory of the (running or stopped) server")->required();
    app.add_option("--to", file, "the backup file to write (must not exist)")->required();
  } else {
    app.add_option("--from", file, "the backup file")->required()->check(CLI::ExistingFile);
    app.add_option("--data-dir", data_dir, "the data directory to restore into (created 0700; must hold no store)")
        ->required();
  }
  try {
    app.parse(argc - 1, argv + 1);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? done : bad_usage;
  }
  if (!crypto::init()) {
    std::cerr << "pingyi-server " << command << ": libsodium failed to initialise" << std::endl;
    return failed;
  }
  return command == "backup" ? backup(data_dir, file) : restore(file, data_dir);
}

}  // namespace pingyi::app
