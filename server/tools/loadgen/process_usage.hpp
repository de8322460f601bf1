// What a process costs, read from /proc: resident memory now and at its peak (VmRSS, VmHWM) and
// CPU seconds (utime + stime). For the server under load (--server-pid, --spawn) and the tool
// itself, which shares the machine with it.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>

namespace pingyi::loadgen {

struct process_usage {
  double rss_mib = 0;       // VmRSS
  double peak_rss_mib = 0;  // VmHWM: the high-water mark since the process started
  double cpu_seconds = 0;   // utime + stime
};

// nullopt when /proc/PID cannot be read (no such process, or not ours to read).
[[nodiscard]] std::optional<process_usage> read_process_usage(pid_t pid);

// The body of /proc/PID/status and /proc/PID/stat, parsed (for the tests: the files' formats).
[[nodiscard]] std::optional<process_usage> parse_process_usage(const std::string& status, const std::string& stat,
                                                               long clock_ticks_per_second);

// Raises the soft limit of open files to the hard limit (every tablet is a socket, and so is every
// ballot in flight); returns the soft limit in force afterwards.
std::uint64_t raise_open_files_limit();

}  // namespace pingyi::loadgen
