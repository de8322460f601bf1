// The data directory (see data_dir.hpp).
#include "data_dir.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>

namespace pingyi::app {

namespace fs = std::filesystem;

bool ensure_data_dir(const data_dir& dir, std::string& error) {
  std::error_code ec;
  if (fs::exists(dir.root, ec)) {
    if (!fs::is_directory(dir.root, ec)) {
      error = dir.root.string() + " exists and is not a directory";
      return false;
    }
    return true;
  }
  const fs::path parent = dir.root.parent_path();
  if (!parent.empty()) {
    fs::create_directories(parent, ec);
    if (ec) {
      error = "cannot create " + parent.string() + ": " + ec.message();
      return false;
    }
  }
  // mkdir with 0700 from the start, not chmod afterwards: the directory is never readable by
  // others, even for an instant (the umask can only take permissions away).
  if (::mkdir(dir.root.c_str(), 0700) != 0 && errno != EEXIST) {
    error = "cannot create " + dir.root.string() + ": " + std::strerror(errno);
    return false;
  }
  return true;
}

bool wipe_demo_state(const data_dir& dir, std::string& error) {
  const fs::path database = dir.database();
  for (const fs::path& file : {database, fs::path(database.string() + "-wal"), fs::path(database.string() + "-shm"),
                               fs::path(database.string() + "-journal"), dir.secrets(), dir.demo()}) {
    std::error_code ec;
    fs::remove(file, ec);
    if (ec) {
      error = "cannot delete " + file.string() + ": " + ec.message();
      return false;
    }
  }
  return true;
}

bool write_all(int fd, const std::string& text) {
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<std::size_t>(n);
  }
  return true;
}

}  // namespace pingyi::app
