// Static files of the web client. A request path is decoded first and checked after, so that
// "%2e%2e", "..%2f" and the like meet the same refusal as "..", and the resolved file (symlinks
// followed) must still lie inside the static directory.
#include "static_files.hpp"

#include <algorithm>
#include <array>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>
#include <system_error>
#include <utility>

#include "http_error.hpp"

namespace pingyi::net::detail {

namespace fs = std::filesystem;

namespace {

constexpr std::string_view protocol_prefix = "/api/";
constexpr std::array<std::string_view, 5> protocol_paths{"/api", "/healthz", "/metrics", "/ws", "/observe"};

struct file_type {
  std::string_view extension;
  std::string_view content_type;
};

constexpr std::array<file_type, 14> file_types{{
    {".html", "text/html; charset=utf-8"},
    {".js", "text/javascript; charset=utf-8"},
    {".mjs", "text/javascript; charset=utf-8"},
    {".css", "text/css; charset=utf-8"},
    {".json", "application/json"},
    {".svg", "image/svg+xml"},
    {".png", "image/png"},
    {".jpg", "image/jpeg"},
    {".jpeg", "image/jpeg"},
    {".ico", "image/x-icon"},
    {".wasm", "application/wasm"},
    {".woff2", "font/woff2"},
    {".txt", "text/plain; charset=utf-8"},
    {".map", "application/json"},
}};

std::string_view content_type_of(const fs::path& file) {
  std::string extension = file.extension().string();
  std::transform(extension.begin(), extension.end(), extension.begin(),
                 [](unsigned char c) { return static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c); });
  for (const auto& type : file_types) {
    if (type.extension == extension) return type.content_type;
  }
  return "application/octet-stream";
}

int hex_value(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// %xx decoded; nullopt for a malformed escape.
std::optional<std::string> percent_decode(std::string_view path) {
  std::string decoded;
  decoded.reserve(path.size());
  for (std::size_t i = 0; i < path.size(); ++i) {
    if (path[i] != '%') {
      decoded.push_back(path[i]);
      continue;
    }
    if (i + 2 >= path.size()) return std::nullopt;
    const int high = hex_value(path[i + 1]);
    const int low = hex_value(path[i + 2]);
    if (high < 0 || low < 0) return std::nullopt;
    decoded.push_back(static_cast<char>(high * 16 + low));
    i += 2;
  }
  return decoded;
}

// A decoded path we are willing to look up at all: absolute, no "..", no NUL, no backslash,
// and no hidden file or directory (".git", ".env") anywhere in it.
bool is_acceptable(std::string_view decoded) noexcept {
  if (decoded.empty() || decoded.front() != '/') return false;
  if (decoded.find("..") != std::string_view::npos) return false;
  if (decoded.find('\0') != std::string_view::npos) return false;
  if (decoded.find('\\') != std::string_view::npos) return false;
  if (decoded.find("/.") != std::string_view::npos) return false;
  return true;
}

// Whether `inner` is `outer` or below it; both canonical.
bool is_within(const fs::path& inner, const fs::path& outer) {
  auto i = inner.begin();
  for (const auto& part : outer) {
    if (i == inner.end() || *i != part) return false;
    ++i;
  }
  return true;
}

std::optional<std::string> read_file(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return std::nullopt;
  std::string content{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  if (in.bad()) return std::nullopt;
  return content;
}

http_response not_found() { return error_response(404, "NOT_FOUND", "no such file"); }

http_response client_not_built() {
  http_response response;
  response.status = 200;
  response.content_type = "text/plain; charset=utf-8";
  response.body =
      "pingyi is running, but the web client is not built: run `npm run build` in client-web/ and start "
      "the server with its dist/ directory as the static directory.\n";
  response.headers.emplace_back("Cache-Control", "no-cache");
  return response;
}

std::string_view cache_control_of(std::string_view decoded, const fs::path& file) {
  if (file.extension() == ".html") return "no-cache";  // index.html names the hashed assets: always revalidate
  if (decoded.starts_with("/assets/")) return "public, max-age=31536000, immutable";  // Vite's hashed names
  return "public, max-age=3600";
}

}  // namespace

bool is_static_path(std::string_view path) noexcept {
  if (path.starts_with(protocol_prefix)) return false;
  return std::find(protocol_paths.begin(), protocol_paths.end(), path) == protocol_paths.end();
}

http_response serve_static_file(const fs::path& root, std::string_view path) {
  const auto decoded = percent_decode(path);
  if (!decoded || !is_acceptable(*decoded)) return not_found();
  const bool is_root = *decoded == "/";

  std::error_code ec;
  if (root.empty() || !fs::is_directory(root, ec)) return is_root ? client_not_built() : not_found();
  const fs::path canonical_root = fs::canonical(root, ec);
  if (ec) return is_root ? client_not_built() : not_found();

  std::string relative = decoded->substr(1);
  if (relative.empty() || relative.back() == '/') relative += "index.html";
  const fs::path file = fs::weakly_canonical(canonical_root / relative, ec);
  if (ec || !is_within(file, canonical_root)) return not_found();  // a symlink pointing outside
  if (!fs::is_regular_file(file, ec)) return is_root ? client_not_built() : not_found();

  auto content = read_file(file);
  if (!content) return not_found();
  http_response response;
  response.status = 200;
  response.content_type = content_type_of(file);
  response.body = std::move(*content);
  response.headers.emplace_back("Cache-Control", cache_control_of(*decoded, file));
  return response;
}

}  // namespace pingyi::net::detail
