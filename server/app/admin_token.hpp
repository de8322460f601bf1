// The server-wide admin token (DESIGN.md §2): 32 random bytes as 64 lower-case hex digits in a
// file created 0600 at first start. The caller prints it once, when it was created, and never
// logs it.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

namespace pingyi::app {

struct admin_token {
  std::string value;
  bool created = false;  // true when this call made the file: the one time the token is shown
};

// Reads the token from `file`, or creates the file (O_EXCL, mode 0600, fsync'ed with its
// directory) with a fresh token when it does not exist. Refuses a file that anyone but its owner
// could read or write, that another user owns, or that holds no token (one line, 16 to 1,024
// printable ASCII characters without spaces).
[[nodiscard]] std::optional<admin_token> load_or_create_admin_token(const std::filesystem::path& file,
                                                                    std::string& error);

}  // namespace pingyi::app
