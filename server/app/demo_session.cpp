// The demo session (see demo_session.hpp): its content, its creation through the protocol, and
// demo.json.
#include "demo_session.hpp"
#include "data_dir.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <future>
#include <memory>
#include <utility>

#include "web_routes.hpp"

namespace pingyi::app {

namespace {

namespace fs = std::filesystem;
using json = nlohmann::ordered_json;

constexpr std::string_view demo_title = "某县人大常委会2026年第十一次会议 述职评议";
constexpr std::string_view demo_committee = "某县人民代表大会常务委员会";
// The reply to a session creation normally takes a commit (milliseconds); this only bounds a
// server that never answers.
constexpr std::chrono::seconds reply_timeout{60};

struct roster_entry {
  std::string_view id;
  std::string_view name;
};

// Fifteen members, seated five to a row.
constexpr std::array<roster_entry, 15> roster{{
    {"m01", "王建国"},
    {"m02", "李秀英"},
    {"m03", "张伟"},
    {"m04", "刘芳"},
    {"m05", "陈志强"},
    {"m06", "杨丽华"},
    {"m07", "赵国庆"},
    {"m08", "黄敏"},
    {"m09", "周海涛"},
    {"m10", "吴静"},
    {"m11", "徐长青"},
    {"m12", "孙红梅"},
    {"m13", "马俊杰"},
    {"m14", "朱晓燕"},
    {"m15", "胡德明"},
}};

constexpr std::size_t seats_per_row = 5;

std::string seat_of(std::size_t index) {
  std::string seat = std::to_string(index / seats_per_row + 1);
  seat.append("排").append(std::to_string(index % seats_per_row + 1)).append("座");
  return seat;
}

struct target {
  std::string_view id;
  std::string_view title;
};

constexpr std::array<target, 6> departments{{
    {"education", "县教育局"},
    {"health", "县卫生健康局"},
    {"civil-affairs", "县民政局"},
    {"transport", "县交通运输局"},
    {"environment", "县生态环境局"},
    {"market-regulation", "县市场监督管理局"},
}};

constexpr std::array<std::string_view, 5> candidates{
    "县教育局局长 李明", "县卫生健康局局长 王红", "县民政局局长 陈刚", "县交通运输局局长 刘洋", "县生态环境局局长 赵磊",
};

json contest(std::string_view id, std::string_view title, json options, int min, int max) {
  json c;
  c["id"] = id;
  c["title"] = title;
  c["options"] = std::move(options);
  c["min"] = min;
  c["max"] = max;
  return c;
}

json evaluation_round() {
  json contests = json::array();
  for (const auto& d : departments) {
    contests.push_back(contest(d.id, d.title, json::array({"满意", "基本满意", "不满意"}), 1, 1));
  }
  json r;
  r["title"] = "对县政府组成部门的满意度测评";
  r["kind"] = "evaluation";
  r["contests"] = std::move(contests);
  r["rule"] = json::object();  // the default: pass_grades 2, weights 100 / 60 / 0
  return r;
}

json motion_round() {
  json r;
  r["title"] = "关于某某议案的表决";
  r["kind"] = "motion";
  r["contests"] = json::array({contest("motion-1", "关于某某议案", json::array({"赞成", "反对", "弃权"}), 1, 1)});
  json rule;
  rule["base"] = "members";
  rule["num"] = 1;
  rule["den"] = 2;
  r["rule"] = std::move(rule);
  return r;
}

json selection_round() {
  json options = json::array();
  for (const auto candidate : candidates) options.push_back(candidate);
  json r;
  r["title"] = "推选明年述职的部门负责人";
  r["kind"] = "selection";
  r["contests"] = json::array({contest("next-year", "推选明年述职的部门负责人（至多两名）", std::move(options), 0, 2)});
  r["rule"] = json::object();
  return r;
}

// "CODE: message" of a wire error reply, or the HTTP status when the body is not one.
std::string describe_error_reply(const net::http_response& response) {
  const json body = json::parse(response.body, nullptr, false);
  if (body.is_object() && body.contains("error") && body["error"].is_object()) {
    const json& e = body["error"];
    return e.value("code", std::string("?")) + ": " + e.value("message", std::string());
  }
  return "HTTP " + std::to_string(response.status);
}

const json* string_field(const json& j, const char* key) {
  const auto it = j.find(key);
  return it != j.end() && it->is_string() ? &*it : nullptr;
}

}  // namespace

json demo_session_request(std::string_view date) {
  json members = json::array();
  for (std::size_t i = 0; i < roster.size(); ++i) {
    json m;
    m["id"] = roster[i].id;
    m["name"] = roster[i].name;
    m["seat"] = seat_of(i);
    members.push_back(std::move(m));
  }
  json quorum;
  quorum["num"] = 1;
  quorum["den"] = 2;

  json request;
  request["title"] = demo_title;
  request["committee"] = demo_committee;
  request["date"] = date;
  request["members"] = std::move(members);
  request["scrutineers"] = json::array({"m03", "m07"});
  request["rounds"] = json::array({evaluation_round(), motion_round(), selection_round()});
  request["quorum"] = std::move(quorum);
  return request;
}

std::string local_date_today() {
  const std::time_t now = std::time(nullptr);
  std::tm local{};
  ::localtime_r(&now, &local);
  std::array<char, 16> text{};
  std::strftime(text.data(), text.size(), "%Y-%m-%d", &local);
  return text.data();
}

std::optional<demo_session> create_demo_session(net::request_handler& handler, const std::string& admin_token,
                                                std::string_view date, std::string& error) {
  const json request_body = demo_session_request(date);
  net::http_request request{
      "POST", "/api/sessions", "", "Bearer " + admin_token, "application/json", request_body.dump()};

  auto promise = std::make_shared<std::promise<net::http_response>>();
  auto answered = std::make_shared<std::atomic<bool>>(false);
  auto future = promise->get_future();
  handler.handle_http(std::move(request), [promise, answered](net::http_response response) {
    if (answered->exchange(true)) return;  // the reply is callable once; be safe if it is not
    promise->set_value(std::move(response));
  });
  if (future.wait_for(reply_timeout) != std::future_status::ready) {
    error = "the server did not answer POST /api/sessions within a minute";
    return std::nullopt;
  }
  const net::http_response response = future.get();
  if (response.status != 200) {
    error = describe_error_reply(response);
    return std::nullopt;
  }
  const json reply = json::parse(response.body, nullptr, false);
  const json* session = reply.is_object() ? string_field(reply, "session") : nullptr;
  const json* chair_code = reply.is_object() ? string_field(reply, "chair_code") : nullptr;
  const auto codes = reply.is_object() ? reply.find("codes") : reply.end();
  if (!session || !chair_code || codes == reply.end() || !codes->is_object()) {
    error = "the reply to POST /api/sessions lacks session, chair_code or codes";
    return std::nullopt;
  }

  demo_session demo;
  demo.session = session->get<std::string>();
  demo.title = demo_title;
  demo.chair_code = chair_code->get<std::string>();
  for (const auto& m : request_body["members"]) {
    const std::string id = m["id"].get<std::string>();
    const json* code = string_field(*codes, id.c_str());
    if (!code) {
      error = "the reply to POST /api/sessions has no code for member " + id;
      return std::nullopt;
    }
    demo.members.push_back({id, m["name"].get<std::string>(), m["seat"].get<std::string>(), code->get<std::string>()});
  }
  return demo;
}

std::optional<demo_session> read_demo_file(const fs::path& file, std::string& error) {
  error.clear();
  std::FILE* in = std::fopen(file.c_str(), "rb");
  if (!in) {
    if (errno != ENOENT) error = "cannot open " + file.string() + ": " + std::strerror(errno);
    return std::nullopt;
  }
  std::string text;
  std::array<char, 4096> chunk{};
  std::size_t n = 0;
  while ((n = std::fread(chunk.data(), 1, chunk.size(), in)) > 0) text.append(chunk.data(), n);
  const bool failed = std::ferror(in) != 0;
  std::fclose(in);
  const json j = failed ? json() : json::parse(text, nullptr, false);
  const auto malformed = [&] {
    error = file.string() + " is not a demo file; delete it, or start afresh with --demo-fresh";
    return std::nullopt;
  };
  if (!j.is_object()) return malformed();
  const json* session = string_field(j, "session");
  const json* title = string_field(j, "title");
  const json* chair_code = string_field(j, "chair_code");
  const auto members = j.find("members");
  if (!session || !title || !chair_code || members == j.end() || !members->is_array()) return malformed();
  demo_session demo{session->get<std::string>(), title->get<std::string>(), chair_code->get<std::string>(), {}};
  for (const auto& m : *members) {
    if (!m.is_object()) return malformed();
    const json* id = string_field(m, "id");
    const json* name = string_field(m, "name");
    const json* seat = string_field(m, "seat");
    const json* code = string_field(m, "code");
    if (!id || !name || !seat || !code) return malformed();
    demo.members.push_back(
        {id->get<std::string>(), name->get<std::string>(), seat->get<std::string>(), code->get<std::string>()});
  }
  return demo;
}

bool write_demo_file(const fs::path& file, const demo_session& demo, std::string& error) {
  json j;
  j["session"] = demo.session;
  j["title"] = demo.title;
  j["chair_code"] = demo.chair_code;
  json members = json::array();
  for (const auto& m : demo.members) {
    json entry;
    entry["id"] = m.id;
    entry["name"] = m.name;
    entry["seat"] = m.seat;
    entry["code"] = m.code;
    members.push_back(std::move(entry));
  }
  j["members"] = std::move(members);
  const std::string text = j.dump(2) + "\n";

  const fs::path temporary = file.string() + ".tmp";
  ::unlink(temporary.c_str());  // a leftover of a crash
  const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) {
    error = "cannot create " + temporary.string() + ": " + std::strerror(errno);
    return false;
  }
  const bool written = write_all(fd, text) && ::fsync(fd) == 0;
  const int write_errno = errno;
  if (::close(fd) != 0 || !written) {
    error = "cannot write " + temporary.string() + ": " + std::strerror(write_errno);
    ::unlink(temporary.c_str());
    return false;
  }
  if (::rename(temporary.c_str(), file.c_str()) != 0) {
    error = "cannot rename " + temporary.string() + " to " + file.string() + ": " + std::strerror(errno);
    ::unlink(temporary.c_str());
    return false;
  }
  const fs::path parent = file.parent_path().empty() ? fs::path(".") : file.parent_path();
  const int dir = ::open(parent.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  const bool synced = dir >= 0 && ::fsync(dir) == 0;
  if (dir >= 0) ::close(dir);
  if (!synced) {
    error = "cannot sync " + parent.string();
    return false;
  }
  return true;
}

void print_demo_urls(std::ostream& out, std::string_view base, const demo_session& demo,
                     const fs::path& admin_token_file) {
  out << "\n"
      << "demo session: " << demo.title << "\n"
      << "  session id   " << demo.session << "\n"
      << "  chair        " << chair_url(base, demo.session) << "   chair code " << demo.chair_code << "\n"
      << "  projector    " << projector_url(base, demo.session) << "\n"
      << "  observer     " << observer_url(base, demo.session) << "\n"
      << "  audit        pingyi-verify --url " << base << " --session " << demo.session
      << " --follow --mirror ./chain-copy   (docs/VERIFYING.md)\n"
      << "  secretariat  " << secretariat_url(base) << "   (admin token in " << admin_token_file.string() << ")\n"
      << "  tablets, one per member:\n";
  for (const auto& m : demo.members) {
    out << "    " << m.id << " " << m.name << " (" << m.seat << ")  " << tablet_url(base, demo.session, m.id, m.code) << "\n";
  }
  out << std::flush;
}

}  // namespace pingyi::app
