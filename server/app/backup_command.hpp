// `pingyi-server backup` and `pingyi-server restore` (docs/OPERATIONS.md): a consistent backup
// of a data directory's store and secrets while the server runs, and its restore into a new data
// directory, replayed through apply exactly as a starting server would before it says done.
#pragma once

namespace pingyi::app {

// True when argv[1] names one of these commands; run_command then handles the whole run.
[[nodiscard]] bool is_command(int argc, char** argv);
// Parses the command's own options (argv[1] is the command) and runs it; the exit code: 0 done,
// 1 the backup or restore failed (the message says why), 2 bad usage.
[[nodiscard]] int run_command(int argc, char** argv);

}  // namespace pingyi::app
