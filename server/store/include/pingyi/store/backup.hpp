// Backup and restore of a server's store while it runs (docs/OPERATIONS.md): the database as one
// consistent snapshot — SQLite's online backup in a single step, which is one read transaction
// of the WAL database, so the server's writer is never blocked and no half-committed group of
// records is copied — and the server's secrets file beside it in the same file, so that a
// restored server goes on signing heads and decrypting its sessions. A backup is as sensitive as
// the data directory itself: it is created 0600.
#pragma once

#include <cstdint>
#include <filesystem>
#include <vector>

#include "pingyi/store/chain_store.hpp"
#include "pingyi/store/error.hpp"

namespace pingyi::store {

struct backup_summary {
  std::vector<session_summary> sessions;  // what the snapshot holds, in list order
  std::uint64_t bytes = 0;                // the size of the backup file
};

// Writes a backup of `database` and `secrets_file` to `to`, which must not exist
// (already_exists). The secrets file is read after the snapshot is taken, so that every session
// of the snapshot has its keys in the backup. The file appears at `to` whole or not at all
// (written under a temporary name, checked with PRAGMA quick_check, fsync'ed, renamed).
[[nodiscard]] result<backup_summary> write_backup(const std::filesystem::path& database,
                                                  const std::filesystem::path& secrets_file,
                                                  const std::filesystem::path& to);

// Restores a backup into `database` and `secrets_file`, neither of which may exist
// (already_exists): the database without the backup's own table (its pages wiped), the secrets
// file 0600. corrupt for a file that is not a pingyi backup. On any failure nothing is left
// behind. The caller then opens the store and replays it, as a starting server would.
[[nodiscard]] result<backup_summary> restore_backup(const std::filesystem::path& backup,
                                                    const std::filesystem::path& database,
                                                    const std::filesystem::path& secrets_file);

}  // namespace pingyi::store
