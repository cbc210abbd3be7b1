#include "http/base_url.hpp"

#include <cocobase/error.hpp>
#include <cocobase/query.hpp>

#include <array>

namespace cocobase {
namespace {

// Every operator name the server recognises as a key suffix (PROTOCOL 4.3), including the
// icontains alias the builder never emits.
constexpr std::array<std::string_view, 13> server_operator_names = {
    "eq", "ne", "gt", "gte", "lt", "lte", "contains", "icontains", "startswith", "endswith",
    "in", "notin", "isnull"};

// Whether the server would read a trailing "_<operator>" off this key, so that a plain eq
// condition on it needs the explicit "_eq" (check_in=yes would mean field `check`, op `in`).
bool ends_with_operator_suffix(std::string_view key) {
  for (std::string_view name : server_operator_names) {
    if (key.size() > name.size() + 1 && key.ends_with(name) &&
        key[key.size() - name.size() - 1] == '_') {
      return true;
    }
  }
  return false;
}

std::string condition_key(std::string_view fields, Op op) {
  std::string key(fields);
  if (op == Op::eq && ends_with_operator_suffix(key)) {
    key += "_eq";
  } else {
    key += op_suffix(op);
  }
  return key;
}

bool is_scalar(const json::value& v) {
  return v.is_string() || v.is_number() || v.is_bool();
}

void check_condition_value(std::string_view key, const json::value& value) {
  bool ok = value.is_null() || is_scalar(value);
  if (value.is_array()) {
    ok = true;
    for (const json::value& item : value.get_array()) ok = ok && is_scalar(item);
  }
  if (!ok) {
    throw Error("filter '" + std::string(key) +
                "': the value must be a string, number, boolean or an array of those");
  }
}

// The operand text of PROTOCOL 4.5: what the JS SDK's String(value) gives for scalars, and
// the items joined with ',' for arrays (the in/notin list syntax).
std::string scalar_text(const json::value& v) {
  if (v.is_string()) return std::string(v.get_string());
  if (v.is_bool()) return v.get_bool() ? "true" : "false";
  if (v.is_number()) return protocol::number_text(v);
  std::string joined;
  bool first = true;
  for (const json::value& item : v.get_array()) {
    if (!first) joined.push_back(',');
    first = false;
    joined += scalar_text(item);
  }
  return joined;
}

void append_pair(std::string& out, std::string_view key, std::string_view value) {
  if (!out.empty()) out.push_back('&');
  out += detail::encode_query_value(key);
  out.push_back('=');
  out += detail::encode_query_value(value);
}

}  // namespace

std::string_view op_suffix(Op op) {
  switch (op) {
    case Op::eq: return "";
    case Op::ne: return "_ne";
    case Op::gt: return "_gt";
    case Op::gte: return "_gte";
    case Op::lt: return "_lt";
    case Op::lte: return "_lte";
    case Op::contains: return "_contains";
    case Op::startswith: return "_startswith";
    case Op::endswith: return "_endswith";
    case Op::in: return "_in";
    case Op::notin: return "_notin";
    case Op::isnull: return "_isnull";
  }
  return "";
}

Query& Query::filter(std::string key, json::value value) {
  check_condition_value(key, value);
  conditions_.emplace_back(std::move(key), std::move(value));
  return *this;
}

Query& Query::where(std::string_view field, json::value value) {
  return where(field, Op::eq, std::move(value));
}

Query& Query::where(std::string_view field, Op op, json::value value) {
  return filter(condition_key(field, op), std::move(value));
}

Query& Query::or_where(std::string_view field, Op op, json::value value, std::string_view group) {
  std::string prefix = group.empty() ? "[or]" : "[or:" + std::string(group) + "]";
  return filter(prefix + condition_key(field, op), std::move(value));
}

Query& Query::any_of(std::initializer_list<std::string_view> fields, Op op, json::value value) {
  if (fields.size() == 0) throw Error("any_of needs at least one field");
  std::string joined;
  for (std::string_view field : fields) {
    if (!joined.empty()) joined += "__or__";
    joined += field;
  }
  return filter(condition_key(joined, op), std::move(value));
}

Query& Query::sort(std::string field, Order order) {
  sort_.emplace(std::move(field), order);
  return *this;
}

Query& Query::limit(std::int64_t n) {
  if (n < 0) throw Error("limit must not be negative");
  limit_ = n;
  return *this;
}

Query& Query::offset(std::int64_t n) {
  if (n < 0) throw Error("offset must not be negative");
  offset_ = n;
  return *this;
}

Query& Query::select(std::vector<std::string> fields) {
  select_.insert(select_.end(), fields.begin(), fields.end());
  return *this;
}

Query& Query::populate(std::vector<std::string> fields) {
  populate_.insert(populate_.end(), fields.begin(), fields.end());
  return *this;
}

// The JS SDK's order (PROTOCOL 3.8, 9.1): filters, populate, select, sort/order, limit/offset.
std::string Query::to_query_string(bool include_paging) const {
  std::string out;
  for (const auto& [key, value] : conditions_) {
    if (!value.is_null()) append_pair(out, key, scalar_text(value));
  }
  for (const std::string& field : populate_) append_pair(out, "populate", field);
  for (const std::string& field : select_) append_pair(out, "select", field);
  if (sort_) {
    append_pair(out, "sort", sort_->first);
    append_pair(out, "order", sort_->second == Order::asc ? "asc" : "desc");
  }
  if (include_paging) {
    append_pair(out, "limit", std::to_string(limit_));
    append_pair(out, "offset", std::to_string(offset_));
  }
  return out;
}

json::object Query::to_filter_object() const {
  json::object filters;
  for (const auto& [key, value] : conditions_) {
    if (!value.is_null()) filters[key] = value;
  }
  return filters;
}

Query Query::from_filter_object(const json::object& filters) {
  Query q;
  for (const auto& member : filters) q.filter(std::string(member.key()), member.value());
  return q;
}

}  // namespace cocobase
