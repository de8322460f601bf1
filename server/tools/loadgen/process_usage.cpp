// /proc readings and the open-files limit (see process_usage.hpp).
#include "process_usage.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <fstream>
#include <iterator>
#include <sstream>
#include <vector>

namespace pingyi::loadgen {

namespace {

std::optional<std::string> read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// "VmHWM:\t  123456 kB" → 123456 (kB); nullopt when the field is absent.
std::optional<double> status_kib(const std::string& status, const std::string& field) {
  const std::string key = field + ":";
  std::size_t start = 0;
  if (status.compare(0, key.size(), key) != 0) {
    start = status.find("\n" + key);
    if (start == std::string::npos) return std::nullopt;
    ++start;
  }
  std::istringstream line(status.substr(start + key.size()));
  double kib = 0;
  if (!(line >> kib)) return std::nullopt;
  return kib;
}

}  // namespace

std::optional<process_usage> parse_process_usage(const std::string& status, const std::string& stat,
                                                 long clock_ticks_per_second) {
  const auto rss = status_kib(status, "VmRSS");
  const auto hwm = status_kib(status, "VmHWM");
  // stat: "pid (comm) state ppid …": comm may hold spaces and parentheses, so the fields are
  // counted from the last ')'. utime and stime are fields 14 and 15 (proc(5)).
  const auto close = stat.rfind(')');
  if (!rss || !hwm || close == std::string::npos || clock_ticks_per_second <= 0) return std::nullopt;
  std::istringstream fields(stat.substr(close + 1));
  std::vector<std::string> f{std::istream_iterator<std::string>(fields), std::istream_iterator<std::string>()};
  // f[0] is field 3 (state): field n is f[n − 3].
  if (f.size() < 13) return std::nullopt;
  process_usage u;
  u.rss_mib = *rss / 1024.0;
  u.peak_rss_mib = *hwm / 1024.0;
  try {
    u.cpu_seconds =
        static_cast<double>(std::stoull(f[11]) + std::stoull(f[12])) / static_cast<double>(clock_ticks_per_second);
  } catch (const std::exception&) {
    return std::nullopt;
  }
  return u;
}

std::optional<process_usage> read_process_usage(pid_t pid) {
  const std::string dir = "/proc/" + std::to_string(pid) + "/";
  const auto status = read_text(dir + "status");
  const auto stat = read_text(dir + "stat");
  if (!status || !stat) return std::nullopt;
  return parse_process_usage(*status, *stat, ::sysconf(_SC_CLK_TCK));
}

std::uint64_t raise_open_files_limit() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return 0;
  if (limit.rlim_cur < limit.rlim_max) {
    rlimit raised = limit;
    raised.rlim_cur = limit.rlim_max;
    if (::setrlimit(RLIMIT_NOFILE, &raised) == 0) limit = raised;
  }
  return static_cast<std::uint64_t>(limit.rlim_cur);
}

}  // namespace pingyi::loadgen
