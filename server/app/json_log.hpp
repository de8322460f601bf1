// Structured logs (--log-format json): one JSON object per line on stderr, for journald, Loki or
// any collector that reads JSON lines:
//   {"time":"2026-11-23T09:00:07.512Z","level":"info","msg":"session 3fa1…: record 12 check_in"}
// `time` is UTC with milliseconds; `msg` is the same sentence the text format prints, escaped (an
// invalid UTF-8 byte becomes U+FFFD, never a broken line).
#pragma once

#include <spdlog/logger.h>

#include <memory>
#include <string>

namespace pingyi::app {

[[nodiscard]] std::shared_ptr<spdlog::logger> make_json_stderr_logger(const std::string& name);

}  // namespace pingyi::app
