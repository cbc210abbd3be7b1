// A REST query string as the read routes take it (PROTOCOL 4): parse_query_string, the filter
// (with small limits), select, populate and sort, then the filter evaluated against fixed
// documents; the same pairs also as a realtime `filters` object (4.5).
#include <cocobase/protocol/filter.hpp>
#include <cocobase/protocol/populate.hpp>
#include <cocobase/protocol/query_string.hpp>
#include <cocobase/protocol/select.hpp>
#include <cocobase/protocol/sort.hpp>

#include <cstdint>

namespace pr = cocobase::protocol;
namespace json = pr::json;

namespace {

std::vector<pr::Document> fixed_documents() {
  const char* bodies[] = {
      (R"({"name":"Ada","age":36,"score":9.5,"tags":["a","b"],"active":true,"ref":"d2",)"
       R"("nested":{"x":1,"y":"2","z":null},"refs":["d2","d3"]})"),
      R"({"name":"bob","age":"36","score":-1,"tags":[],"active":false,"ref":"d3","nested":{"x":"1"}})",
      R"({"name":null,"age":9007199254740993,"score":1e300,"ref":"d1","nested":[1,2],"big":18446744073709551615})",
  };
  std::vector<pr::Document> docs;
  int i = 0;
  for (const char* b : bodies) {
    ++i;
    pr::Document d;
    d.id = "d" + std::to_string(i);
    d.collection = "c";
    d.collection_id = "00000000-0000-0000-0000-000000000000";
    d.data = pr::parse_json(b).as_object();
    d.created_at = "2026-01-0" + std::to_string(i) + "T00:00:00.000Z";
    d.updated_at = d.created_at;
    docs.push_back(std::move(d));
  }
  return docs;
}

std::vector<std::string> values_of(const pr::QueryPairs& q, std::string_view key) {
  std::vector<std::string> out;
  for (const auto& [k, v] : q)
    if (k == key) out.push_back(v);
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::vector<pr::Document> docs = fixed_documents();
  const pr::FilterLimits limits{8, 16};
  auto pairs = pr::parse_query_string(std::string_view(reinterpret_cast<const char*>(data), size));
  if (!pairs) return 0;
  std::vector<pr::Document> work = docs;

  try {
    auto chains = pr::parse_populate(values_of(*pairs, "populate"), 3);
    pr::PopulateLookup lookup = [&](const std::string& id) -> std::optional<json::object> {
      for (const auto& d : docs) {
        if (d.id != id) continue;
        json::object o = d.data;
        o["id"] = d.id;
        return o;
      }
      return std::nullopt;
    };
    for (auto& d : work) pr::populate(d.data, chains, lookup);
  } catch (const pr::FilterError&) {
  }

  try {
    pr::Filter f = pr::parse_query_filter(*pairs, pr::reserved_keys_common(), limits);
    for (const auto& d : work) (void)f.matches(pr::DocumentFieldSource(d));
  } catch (const pr::FilterError&) {
  }

  try {
    json::object ws;
    for (const auto& [k, v] : *pairs) ws[k] = v;
    pr::Filter f = pr::parse_ws_filter(ws, limits);
    for (const auto& d : work) (void)f.matches(pr::DocumentFieldSource(d));
  } catch (const pr::FilterError&) {
  }

  if (const std::string* field = pr::last_value(*pairs, "sort"); field && !field->empty()) {
    try {
      pr::Path path = pr::parse_path(*field);
      pr::sort_documents(work, path, pr::SortOrder::asc);
      pr::sort_documents(work, path, pr::SortOrder::desc);
    } catch (const pr::FilterError&) {
    }
  }

  auto selects = pr::parse_select(values_of(*pairs, "select"));
  for (const auto& d : work) (void)pr::project_select(d.data, selects);
  return 0;
}
