#include <cocobase/protocol/sort.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>

namespace cocobase::protocol {
namespace {

template <class T>
int three_way(T a, T b) {
  return (a > b) - (a < b);
}

// Sorting needs a total order, so numbers compare by exact mathematical value: comparing an
// int64 with a double as doubles would make 2^53 == 2^53+1.0 == 2^53+1 non-transitive.
int compare_int_double(std::int64_t i, double d) {
  if (d >= 0x1p63) return -1;
  if (d < -0x1p63) return 1;
  double t = std::trunc(d);  // now exactly representable as int64
  auto ti = static_cast<std::int64_t>(t);
  if (i != ti) return three_way(i, ti);
  return three_way(t, d);  // equal integer parts: d's fraction decides
}

int compare_uint_double(std::uint64_t u, double d) {
  if (d >= 0x1p64) return -1;
  if (d < 0) return 1;
  double t = std::trunc(d);
  auto tu = static_cast<std::uint64_t>(t);
  if (u != tu) return three_way(u, tu);
  return three_way(t, d);
}

int compare_int_uint(std::int64_t i, std::uint64_t u) {
  if (i < 0) return -1;
  return three_way(static_cast<std::uint64_t>(i), u);
}

int compare_numbers(const json::value& a, const json::value& b) {
  using json::kind;
  switch (a.kind()) {
    case kind::int64:
      if (b.is_int64()) return three_way(a.get_int64(), b.get_int64());
      if (b.is_uint64()) return compare_int_uint(a.get_int64(), b.get_uint64());
      return compare_int_double(a.get_int64(), b.get_double());
    case kind::uint64:
      if (b.is_uint64()) return three_way(a.get_uint64(), b.get_uint64());
      if (b.is_int64()) return -compare_int_uint(b.get_int64(), a.get_uint64());
      return compare_uint_double(a.get_uint64(), b.get_double());
    default:
      if (b.is_double()) return three_way(a.get_double(), b.get_double());
      if (b.is_int64()) return -compare_int_double(b.get_int64(), a.get_double());
      return -compare_uint_double(b.get_uint64(), a.get_double());
  }
}

int rank(const json::value& v) {
  switch (v.kind()) {
    case json::kind::int64:
    case json::kind::uint64:
    case json::kind::double_: return 0;
    case json::kind::string: return 1;
    case json::kind::bool_: return 2;
    case json::kind::array:
    case json::kind::object: return 3;
    default: return 4;  // null
  }
}

int sign_of(int c) { return (c > 0) - (c < 0); }

struct Entry {
  std::size_t index;
  const json::value* key;  // nullptr when missing or null
  std::string text;        // compact JSON of an array/object key, computed once
};

}  // namespace

int compare_sort_values(const json::value& a, const json::value& b) {
  int ra = rank(a), rb = rank(b);
  if (ra != rb) return three_way(ra, rb);
  switch (ra) {
    case 0: return compare_numbers(a, b);
    case 1: return sign_of(std::string_view(a.get_string()).compare(std::string_view(b.get_string())));
    case 2: return three_way(a.get_bool(), b.get_bool());
    case 3: return sign_of(to_json(a).compare(to_json(b)));
    default: return 0;
  }
}

void sort_documents(std::vector<Document>& docs, const Path& path, SortOrder order) {
  // Metadata keys live in the field sources, so they must not move while sorting: reserve.
  std::vector<DocumentFieldSource> sources;
  sources.reserve(docs.size());
  std::vector<Entry> entries;
  entries.reserve(docs.size());
  for (std::size_t i = 0; i < docs.size(); ++i) {
    sources.emplace_back(docs[i]);
    const json::value* key = resolve_path(sources.back(), path);
    if (key && key->is_null()) key = nullptr;
    Entry e{i, key, {}};
    if (key && rank(*key) == 3) e.text = to_json(*key);
    entries.push_back(std::move(e));
  }

  const bool desc = order == SortOrder::desc;
  std::stable_sort(entries.begin(), entries.end(), [&](const Entry& a, const Entry& b) {
    if ((a.key == nullptr) != (b.key == nullptr)) return b.key == nullptr;  // missing last, always
    int c = 0;
    if (a.key) {
      c = (rank(*a.key) == 3 && rank(*b.key) == 3) ? sign_of(a.text.compare(b.text))
                                                     : compare_sort_values(*a.key, *b.key);
    }
    const Document& da = docs[a.index];
    const Document& db = docs[b.index];
    if (c == 0) c = sign_of(da.created_at.compare(db.created_at));
    if (c == 0) c = sign_of(da.id.compare(db.id));
    return desc ? c > 0 : c < 0;
  });

  std::vector<Document> sorted;
  sorted.reserve(docs.size());
  for (const auto& e : entries) sorted.push_back(std::move(docs[e.index]));
  docs = std::move(sorted);
}

}  // namespace cocobase::protocol
