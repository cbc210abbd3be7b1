#include <cocobase/protocol/filter.hpp>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>

namespace cocobase::protocol {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }
char fold_char(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool equals_folded(std::string_view s, std::string_view lower) {
  return s.size() == lower.size() &&
         std::equal(s.begin(), s.end(), lower.begin(), [](char a, char b) { return fold_char(a) == b; });
}

// Room for the shortest round-trip text of any double or 64-bit integer.
struct TextBuf {
  char data[40];
};

constexpr double kTwoPow53 = 9007199254740992.0;

// Scalar text of 4.6 without allocating. Must agree with number_text (json.cpp).
bool scalar_text(const json::value& v, TextBuf& buf, std::string_view& out) {
  std::to_chars_result r{};
  switch (v.kind()) {
    case json::kind::string: out = v.get_string(); return true;
    case json::kind::bool_: out = v.get_bool() ? "true" : "false"; return true;
    case json::kind::int64: r = std::to_chars(buf.data, buf.data + sizeof buf.data, v.get_int64()); break;
    case json::kind::uint64: r = std::to_chars(buf.data, buf.data + sizeof buf.data, v.get_uint64()); break;
    case json::kind::double_: {
      double d = v.get_double();
      if (std::fabs(d) < kTwoPow53 && std::trunc(d) == d)
        r = std::to_chars(buf.data, buf.data + sizeof buf.data, static_cast<std::int64_t>(d));
      else
        r = std::to_chars(buf.data, buf.data + sizeof buf.data, d);
      break;
    }
    default: return false;
  }
  out = std::string_view(buf.data, static_cast<std::size_t>(r.ptr - buf.data));
  return true;
}

// Arrays satisfy an operator through their elements (one level; nested arrays and objects
// never satisfy `pred`, which only accepts scalars).
template <class Pred>
bool any_scalar(const json::value* f, Pred pred) {
  if (!f) return false;
  if (!f->is_array()) return pred(*f);
  for (const auto& e : f->get_array())
    if (pred(e)) return true;
  return false;
}

bool eq_scalar(const json::value& f, std::string_view text, const PreparedOperand& p) {
  switch (f.kind()) {
    case json::kind::string: return std::string_view(f.get_string()) == text;
    case json::kind::int64:
    case json::kind::uint64:
    case json::kind::double_: return p.numeric && compare_numeric(*numeric_value(f), p.number) == 0;
    case json::kind::bool_: return p.boolean >= 0 && (p.boolean == 1) == f.get_bool();
    default: return false;
  }
}

bool eq_value(const json::value* f, std::string_view text, const PreparedOperand& p) {
  return any_scalar(f, [&](const json::value& e) { return eq_scalar(e, text, p); });
}

int sign_of(int c) { return (c > 0) - (c < 0); }

// <0/0/>0 comparing f with the operand, or nullopt when the types do not compare.
std::optional<int> order_scalar(const json::value& f, std::string_view text, const PreparedOperand& p) {
  switch (f.kind()) {
    case json::kind::int64:
    case json::kind::uint64:
    case json::kind::double_:
      if (!p.numeric) return std::nullopt;
      return compare_numeric(*numeric_value(f), p.number);
    case json::kind::string: {
      std::string_view s = f.get_string();
      // Numeric strings compare as numbers so "85" > "9"; otherwise bytewise, which is what
      // makes ISO timestamps compare chronologically.
      if (p.numeric)
        if (auto n = parse_numeric_text(s)) return compare_numeric(*n, p.number);
      return sign_of(s.compare(text));
    }
    default: return std::nullopt;
  }
}

bool ordered_holds(FilterOp op, int c) {
  switch (op) {
    case FilterOp::gt: return c > 0;
    case FilterOp::gte: return c >= 0;
    case FilterOp::lt: return c < 0;
    default: return c <= 0;  // lte
  }
}

// Knuth-Morris-Pratt: linear in haystack + needle whatever the text, where std::search is
// haystack x needle in the worst case ("aaaa...ab" in "aaaa...": 27 s of CPU for one 1 MiB
// document and a 30 KB operand). `border` is the needle's failure table (contains_borders).
bool contains_folded(std::string_view hay, std::string_view needle, const std::vector<std::uint32_t>& border) {
  if (needle.empty()) return true;
  std::size_t k = 0;  // needle characters matched so far
  for (char ch : hay) {
    char c = fold_char(ch);
    while (k > 0 && needle[k] != c) k = border[k - 1];
    if (needle[k] == c && ++k == needle.size()) return true;
  }
  return false;
}

std::optional<std::size_t> parse_index(std::string_view seg) {
  if (seg.empty() || (seg.size() > 1 && seg[0] == '0')) return std::nullopt;
  std::size_t idx = 0;
  auto r = std::from_chars(seg.data(), seg.data() + seg.size(), idx);
  if (r.ec != std::errc() || r.ptr != seg.data() + seg.size()) return std::nullopt;
  return idx;
}

std::optional<Path> split_path(std::string_view text) {
  Path out;
  for (;;) {
    auto dot = text.find('.');
    std::string_view seg = text.substr(0, dot);
    if (seg.empty()) return std::nullopt;
    out.emplace_back(seg);
    if (dot == std::string_view::npos) return out;
    text.remove_prefix(dot + 1);
  }
}

bool is_valid_group_name(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) || c == '_' || c == '-';
  });
}

FilterError invalid_key(std::string_view key) {
  return FilterError{"Invalid filter key '" + std::string(key) + "'", std::string(key)};
}

struct OpName {
  std::string_view name;
  FilterOp op;
};
constexpr OpName kOperators[] = {
    {"eq", FilterOp::eq},
    {"ne", FilterOp::ne},
    {"gt", FilterOp::gt},
    {"gte", FilterOp::gte},
    {"lt", FilterOp::lt},
    {"lte", FilterOp::lte},
    {"contains", FilterOp::contains},
    {"icontains", FilterOp::contains},
    {"startswith", FilterOp::startswith},
    {"endswith", FilterOp::endswith},
    {"in", FilterOp::in},
    {"notin", FilterOp::notin},
    {"isnull", FilterOp::isnull},
};

bool is_list_op(FilterOp op) { return op == FilterOp::in || op == FilterOp::notin; }

void check_item_count(std::size_t n, std::string_view key, const FilterLimits& limits) {
  if (n > limits.max_in_items)
    throw FilterError{"Too many list items in filter key '" + std::string(key) + "' (limit " +
                          std::to_string(limits.max_in_items) + ")",
                      std::string(key)};
}

// 4.6 `in`: split on ',', trim spaces and tabs, drop empty items.
std::vector<std::string> split_list(std::string_view v, std::string_view key, const FilterLimits& limits) {
  std::vector<std::string> items;
  for (;;) {
    auto comma = v.find(',');
    std::string_view item = v.substr(0, comma);
    while (!item.empty() && (item.front() == ' ' || item.front() == '\t')) item.remove_prefix(1);
    while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) item.remove_suffix(1);
    if (!item.empty()) {
      items.emplace_back(item);
      check_item_count(items.size(), key, limits);  // early, so a huge list is not built first
    }
    if (comma == std::string_view::npos) return items;
    v.remove_prefix(comma + 1);
  }
}

// Builds the condition for one key occurrence and adds it. `list` is set for a realtime array
// operand (in/notin only, checked by the caller).
void add_condition(Filter& filter, std::string_view key, std::string operand,
                   std::optional<std::vector<std::string>> list, const FilterLimits& limits) {
  ParsedKey pk = parse_filter_key(key);
  if (filter.condition_count() >= limits.max_conditions)
    throw FilterError{"Too many filter conditions at key '" + std::string(key) + "' (limit " +
                          std::to_string(limits.max_conditions) + ")",
                      std::string(key)};
  std::size_t operand_bytes = operand.size();
  if (list)
    for (const auto& item : *list) operand_bytes += item.size();
  if (operand_bytes > limits.max_operand_bytes)
    throw FilterError{"Filter value of key '" + std::string(key) + "' is over " +
                          std::to_string(limits.max_operand_bytes) + " bytes",
                      std::string(key)};
  Condition c;
  c.key = std::string(key);
  c.paths = std::move(pk.paths);
  c.op = pk.op;
  if (is_list_op(c.op)) {
    if (list) {
      check_item_count(list->size(), key, limits);
      c.items = std::move(*list);
    } else {
      c.items = split_list(operand, key, limits);
    }
  } else if (c.op == FilterOp::isnull) {
    if (equals_folded(operand, "true") || operand == "1")
      c.isnull_wanted = true;
    else if (equals_folded(operand, "false") || operand == "0")
      c.isnull_wanted = false;
    else
      throw FilterError{"Invalid isnull value '" + operand + "' for filter key '" + std::string(key) +
                            "' (expected true, false, 1 or 0)",
                        std::string(key)};
  }
  c.operand = std::move(operand);
  filter.add(pk.group, std::move(c));
}

// 4.5: a realtime scalar operand in its query-string form; nullopt for other kinds.
std::optional<std::string> ws_scalar(const json::value& v) {
  switch (v.kind()) {
    case json::kind::string: return std::string(v.get_string());
    case json::kind::bool_: return std::string(v.get_bool() ? "true" : "false");
    case json::kind::int64:
    case json::kind::uint64:
    case json::kind::double_: return number_text(v);
    default: return std::nullopt;
  }
}

bool is_reserved(std::string_view key, const std::vector<std::string_view>& reserved) {
  return std::find(reserved.begin(), reserved.end(), key) != reserved.end();
}

}  // namespace

// ---- numbers ----------------------------------------------------------------------------

std::optional<NumericValue> parse_numeric_text(std::string_view s) {
  // Validate the 4.6 grammar by hand: from_chars alone would also accept "inf", "nan", and
  // rejects a leading '+'.
  std::size_t i = 0, n = s.size();
  bool negative = false;
  if (i < n && (s[i] == '+' || s[i] == '-')) negative = s[i++] == '-';
  const std::size_t int_begin = i;
  while (i < n && is_digit(s[i])) ++i;
  const std::size_t int_end = i;
  std::size_t frac_begin = i, frac_end = i;
  bool has_point = false, has_exp = false;
  if (i < n && s[i] == '.') {
    has_point = true;
    frac_begin = ++i;
    while (i < n && is_digit(s[i])) ++i;
    frac_end = i;
  }
  if (int_end == int_begin && frac_end == frac_begin) return std::nullopt;
  long long exp = 0;  // saturating: only its sign matters once it is large
  if (i < n && (s[i] == 'e' || s[i] == 'E')) {
    has_exp = true;
    ++i;
    bool exp_negative = false;
    if (i < n && (s[i] == '+' || s[i] == '-')) exp_negative = s[i++] == '-';
    const std::size_t exp_begin = i;
    for (; i < n && is_digit(s[i]); ++i)
      if (exp < 1'000'000'000'000'000LL) exp = exp * 10 + (s[i] - '0');
    if (i == exp_begin) return std::nullopt;
    if (exp_negative) exp = -exp;
  }
  if (i != n) return std::nullopt;

  std::string_view body = s.substr(!s.empty() && s[0] == '+' ? 1 : 0);
  const char* end = body.data() + body.size();
  NumericValue v;
  if (!has_point && !has_exp) {
    std::int64_t x = 0;
    auto r = std::from_chars(body.data(), end, x);
    if (r.ec == std::errc() && r.ptr == end) {
      v.is_int = true;
      v.i = x;
      v.d = static_cast<double>(x);
      return v;
    }
  }
  double d = 0;
  auto r = std::from_chars(body.data(), end, d);
  if (r.ec == std::errc::result_out_of_range) {
    // from_chars reports underflow and overflow alike. Underflow rounds to a finite zero, so
    // it is numeric text; tell them apart by the decimal exponent of the first non-zero digit.
    long long sci = 0;
    auto int_nz = std::find_if(s.begin() + int_begin, s.begin() + int_end, [](char c) { return c != '0'; });
    if (int_nz != s.begin() + int_end) {
      sci = static_cast<long long>((s.begin() + int_end) - int_nz) - 1 + exp;
    } else {
      auto frac_nz = std::find_if(s.begin() + frac_begin, s.begin() + frac_end, [](char c) { return c != '0'; });
      sci = -static_cast<long long>((frac_nz - (s.begin() + frac_begin)) + 1) + exp;
    }
    if (sci >= 0) return std::nullopt;
    d = negative ? -0.0 : 0.0;
  } else if (r.ec != std::errc() || r.ptr != end) {
    return std::nullopt;
  }
  if (!std::isfinite(d)) return std::nullopt;
  v.d = d;
  return v;
}

bool is_numeric_text(std::string_view s) { return parse_numeric_text(s).has_value(); }

std::optional<NumericValue> numeric_value(const json::value& v) {
  NumericValue n;
  switch (v.kind()) {
    case json::kind::int64:
      n.is_int = true;
      n.i = v.get_int64();
      n.d = static_cast<double>(n.i);
      return n;
    case json::kind::uint64:
      if (v.get_uint64() <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
        n.is_int = true;
        n.i = static_cast<std::int64_t>(v.get_uint64());
      }
      n.d = static_cast<double>(v.get_uint64());
      return n;
    case json::kind::double_:
      n.d = v.get_double();
      return n;
    default:
      return std::nullopt;
  }
}

int compare_numeric(const NumericValue& a, const NumericValue& b) {
  if (a.is_int && b.is_int) return (a.i > b.i) - (a.i < b.i);
  return (a.d > b.d) - (a.d < b.d);
}

// ---- conditions and filters --------------------------------------------------------------

PreparedOperand prepare_operand(std::string_view text) {
  PreparedOperand p;
  if (auto n = parse_numeric_text(text)) {
    p.numeric = true;
    p.number = *n;
  }
  if (equals_folded(text, "true")) p.boolean = 1;
  else if (equals_folded(text, "false")) p.boolean = 0;
  return p;
}

std::string fold_ascii(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = fold_char(c);
  return out;
}

// border[i]: the length of the longest proper prefix of needle[0..i] that is also its suffix.
std::vector<std::uint32_t> contains_borders(std::string_view needle) {
  std::vector<std::uint32_t> border(needle.size(), 0);
  std::uint32_t k = 0;
  for (std::size_t i = 1; i < needle.size(); ++i) {
    while (k > 0 && needle[i] != needle[k]) k = border[k - 1];
    if (needle[i] == needle[k]) ++k;
    border[i] = k;
  }
  return border;
}

void Condition::prepare() {
  prepared = prepare_operand(operand);
  folded_operand = fold_ascii(operand);
  if (op == FilterOp::contains) folded_borders = contains_borders(folded_operand);
  prepared_items.clear();
  prepared_items.reserve(items.size());
  for (const auto& item : items) prepared_items.push_back(prepare_operand(item));
}

bool Condition::holds_for(const json::value* f) const {
  switch (op) {
    case FilterOp::eq: return eq_value(f, operand, prepared);
    case FilterOp::ne: return !eq_value(f, operand, prepared);
    case FilterOp::gt:
    case FilterOp::gte:
    case FilterOp::lt:
    case FilterOp::lte:
      return any_scalar(f, [&](const json::value& e) {
        auto c = order_scalar(e, operand, prepared);
        return c && ordered_holds(op, *c);
      });
    case FilterOp::contains:
    case FilterOp::startswith:
    case FilterOp::endswith:
      return any_scalar(f, [&](const json::value& e) {
        TextBuf buf;
        std::string_view t;
        if (!scalar_text(e, buf, t)) return false;
        if (op == FilterOp::contains) return contains_folded(t, folded_operand, folded_borders);
        return op == FilterOp::startswith ? t.starts_with(operand) : t.ends_with(operand);
      });
    case FilterOp::in:
    case FilterOp::notin: {
      bool found = false;
      for (std::size_t i = 0; i < items.size() && !found; ++i)
        found = eq_value(f, items[i], prepared_items[i]);
      return found == (op == FilterOp::in);
    }
    case FilterOp::isnull: {
      bool is_null = f == nullptr || f->is_null();
      return is_null == isnull_wanted;
    }
  }
  return false;
}

bool Condition::holds(const FieldSource& src) const {
  for (const auto& p : paths)
    if (holds_for(resolve_path(src, p))) return true;
  return false;
}

void Filter::add(std::optional<std::string_view> group, Condition c) {
  c.prepare();
  ++count_;
  if (!group) {
    conditions_.push_back(std::move(c));
    return;
  }
  auto it = std::find_if(groups_.begin(), groups_.end(), [&](const OrGroup& g) { return g.name == *group; });
  if (it == groups_.end()) {
    groups_.push_back(OrGroup{std::string(*group), {}});
    it = groups_.end() - 1;
  }
  it->conditions.push_back(std::move(c));
}

bool Filter::matches(const FieldSource& src) const {
  for (const auto& c : conditions_)
    if (!c.holds(src)) return false;
  for (const auto& g : groups_) {
    bool any = false;
    for (const auto& c : g.conditions)
      if ((any = c.holds(src))) break;
    if (!any) return false;
  }
  return true;
}

// ---- parsing -----------------------------------------------------------------------------

ParsedKey parse_filter_key(std::string_view key) {
  ParsedKey out;
  std::string_view r = key;
  if (r.starts_with("[or]")) {
    out.group = "default";
    r.remove_prefix(4);
  } else if (r.starts_with("[or:")) {
    auto close = r.find(']');
    if (close == std::string_view::npos) throw invalid_key(key);
    std::string_view name = r.substr(4, close - 4);
    if (!is_valid_group_name(name)) throw invalid_key(key);
    out.group = std::string(name);
    r.remove_prefix(close + 1);
  } else if (r.starts_with('[')) {
    throw invalid_key(key);
  }

  std::size_t best = 0;
  for (const auto& [name, op] : kOperators) {
    std::size_t suffix = name.size() + 1;
    if (r.size() > suffix && suffix > best && r.ends_with(name) && r[r.size() - suffix] == '_') {
      best = suffix;
      out.op = op;
    }
  }
  r.remove_suffix(best);

  static constexpr std::string_view kOr = "__or__";
  for (;;) {
    auto pos = r.find(kOr);
    auto path = split_path(r.substr(0, pos));
    if (!path) throw invalid_key(key);
    out.paths.push_back(std::move(*path));
    if (pos == std::string_view::npos) break;
    r.remove_prefix(pos + kOr.size());
  }
  return out;
}

Path parse_path(std::string_view text) {
  auto p = split_path(text);
  if (!p) throw FilterError{"Invalid field path '" + std::string(text) + "'"};
  return std::move(*p);
}

const json::value* resolve_path(const FieldSource& src, const Path& path) {
  if (path.empty()) return nullptr;
  const json::value* v = src.top(path[0]);
  for (std::size_t i = 1; v && i < path.size(); ++i) {
    if (const auto* o = v->if_object()) {
      auto it = o->find(path[i]);
      v = it == o->end() ? nullptr : &it->value();
    } else if (const auto* a = v->if_array()) {
      auto idx = parse_index(path[i]);
      v = idx && *idx < a->size() ? &(*a)[*idx] : nullptr;
    } else {
      v = nullptr;
    }
  }
  return v;
}

const std::vector<std::string_view>& reserved_keys_common() {
  static const std::vector<std::string_view> keys{"limit",  "offset", "sort",     "order", "sort_by",
                                                  "sort_order", "select", "populate", "count"};
  return keys;
}

const std::vector<std::string_view>& reserved_keys_aggregate() {
  static const std::vector<std::string_view> keys = [] {
    auto k = reserved_keys_common();
    k.push_back("field");
    k.push_back("operation");
    return k;
  }();
  return keys;
}

Filter parse_query_filter(const std::vector<std::pair<std::string, std::string>>& pairs,
                          const std::vector<std::string_view>& reserved, const FilterLimits& limits) {
  Filter filter;
  for (const auto& [key, value] : pairs)
    if (!is_reserved(key, reserved)) add_condition(filter, key, value, std::nullopt, limits);
  return filter;
}

Filter parse_ws_filter(const json::object& filters, const FilterLimits& limits) {
  Filter filter;
  for (const auto& m : filters) {
    std::string_view key = m.key();
    const json::value& v = m.value();
    // A null member is dropped before its key is looked at, as the JS SDK never sends it.
    if (is_reserved(key, reserved_keys_common()) || v.is_null()) continue;
    auto invalid_value = [&] {
      return FilterError{"Invalid filter value for key '" + std::string(key) + "'", std::string(key)};
    };
    if (auto text = ws_scalar(v)) {
      add_condition(filter, key, std::move(*text), std::nullopt, limits);
    } else if (const auto* arr = v.if_array()) {
      if (!is_list_op(parse_filter_key(key).op)) throw invalid_value();
      check_item_count(arr->size(), key, limits);
      std::vector<std::string> items;
      items.reserve(arr->size());
      for (const auto& e : *arr) {
        auto item = ws_scalar(e);
        if (!item) throw invalid_value();
        items.push_back(std::move(*item));
      }
      add_condition(filter, key, std::string(), std::move(items), limits);
    } else {
      throw invalid_value();
    }
  }
  return filter;
}

}  // namespace cocobase::protocol
