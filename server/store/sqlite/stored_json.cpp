#include "store/sqlite/stored_json.hpp"

#include <spdlog/spdlog.h>

#include <atomic>
#include <chrono>

namespace cocobase::server::sqlite {
namespace {

namespace json = protocol::json;

// Stored documents were checked against --max-json-depth (at most a few hundred) when
// written; this bound only keeps a damaged row from costing unbounded stack.
constexpr std::size_t kStoredMaxDepth = 1u << 10;

std::atomic<std::uint64_t> g_undecodable{0};
std::atomic<std::int64_t> g_last_log_ms{0};

void report(std::string_view what, std::string_view why) {
  g_undecodable.fetch_add(1, std::memory_order_relaxed);
  // A list over a collection with a bad row meets it on every request: log once a second.
  auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                 std::chrono::steady_clock::now().time_since_epoch()).count();
  auto last = g_last_log_ms.load(std::memory_order_relaxed);
  if (now - last < 1000 || !g_last_log_ms.compare_exchange_strong(last, now)) return;
  spdlog::error("skipped a stored row that cannot be decoded ({}: {}); run `cocobase doctor`", what, why);
}

std::optional<json::value> parse_stored(std::string_view text, std::string_view what) {
  try {
    return protocol::parse_json(text, {kStoredMaxDepth});
  } catch (const protocol::JsonParseError& e) {
    report(what, e.message);
    return std::nullopt;
  }
}

}  // namespace

std::optional<json::object> decode_stored_object(std::string_view text, std::string_view what) {
  auto v = parse_stored(text, what);
  if (!v) return std::nullopt;
  if (!v->is_object()) {
    report(what, "not a JSON object");
    return std::nullopt;
  }
  return std::move(v->get_object());
}

std::optional<json::array> decode_stored_array(std::string_view text, std::string_view what) {
  auto v = parse_stored(text, what);
  if (!v) return std::nullopt;
  if (!v->is_array()) {
    report(what, "not a JSON array");
    return std::nullopt;
  }
  return std::move(v->get_array());
}

std::uint64_t undecodable_rows() { return g_undecodable.load(std::memory_order_relaxed); }

bool is_decodable(std::string_view text, bool want_array) {
  try {
    auto v = protocol::parse_json(text, {kStoredMaxDepth});
    return want_array ? v.is_array() : v.is_object();
  } catch (const protocol::JsonParseError&) {
    return false;
  }
}

}  // namespace cocobase::server::sqlite
