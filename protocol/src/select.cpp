#include <cocobase/protocol/select.hpp>

#include <string_view>

#include <cocobase/protocol/text.hpp>

namespace cocobase::protocol {
namespace {


// Unlike parse_path, keeps empty segments: select has no error response, and a path with an
// empty segment just resolves to nothing.
Path split_keep_empty(std::string_view text) {
  Path out;
  for (;;) {
    auto dot = text.find('.');
    out.emplace_back(text.substr(0, dot));
    if (dot == std::string_view::npos) return out;
    text.remove_prefix(dot + 1);
  }
}

bool is_metadata_name(std::string_view s) { return s == "id" || s == "created_at" || s == "updated_at"; }

// The selected value inside data, stepping only through objects; nullptr when missing.
const json::value* resolve_in_objects(const json::object& data, const Path& path) {
  const json::object* cur = &data;
  const json::value* v = nullptr;
  for (std::size_t i = 0; i < path.size(); ++i) {
    if (!cur) return nullptr;
    auto it = cur->find(path[i]);
    if (it == cur->end()) return nullptr;
    v = &it->value();
    cur = v->if_object();
  }
  return v;
}

}  // namespace

std::vector<Path> parse_select(const std::vector<std::string>& values) {
  std::vector<Path> out;
  for (std::string_view rest : values) {
    for (;;) {
      auto comma = rest.find(',');
      std::string_view item = trim_blanks(rest.substr(0, comma));
      if (!item.empty() && !is_metadata_name(item)) out.push_back(split_keep_empty(item));
      if (comma == std::string_view::npos) break;
      rest.remove_prefix(comma + 1);
    }
  }
  return out;
}

json::object project_select(const json::object& data, const std::vector<Path>& selects) {
  json::object out;
  for (const auto& path : selects) {
    if (path.empty()) continue;
    const json::value* v = resolve_in_objects(data, path);
    if (!v) continue;
    // Every prefix of a resolved path is an object in `data`, and `out` only ever holds copies
    // from `data`, so an existing slot on the way down is an object too; a new slot is null.
    json::object* dst = &out;
    for (std::size_t i = 0; i + 1 < path.size(); ++i) {
      json::value& slot = (*dst)[path[i]];
      if (!slot.is_object()) slot = json::object();
      dst = &slot.get_object();
    }
    // A whole object selected after some of its members replaces the partial copy.
    dst->insert_or_assign(path.back(), *v);
  }
  return out;
}

}  // namespace cocobase::protocol
