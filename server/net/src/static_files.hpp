// The built web client served from a directory (DESIGN.md §4: "GET / and assets"), with the
// refusals that keep every byte outside that directory unreachable. No Beast here: the session
// turns the http_response into a Beast message.
#pragma once

#include <filesystem>
#include <string_view>

#include "pingyi/net/transport.hpp"

namespace pingyi::net::detail {

// Whether a GET or HEAD of `path` (no query) is for the web client: everything outside /api/,
// /healthz, /metrics, /ws and /observe.
[[nodiscard]] bool is_static_path(std::string_view path) noexcept;

// The file `path` (no query, not yet percent-decoded) under `root`: 200 with its content type
// and caching headers, or 404 NOT_FOUND for anything missing, refused or outside `root`
// (never 403: a refusal must not tell a prober that something is there). When `root` holds no
// web client, "/" answers a short text/plain page that says so.
[[nodiscard]] http_response serve_static_file(const std::filesystem::path& root, std::string_view path);

}  // namespace pingyi::net::detail
