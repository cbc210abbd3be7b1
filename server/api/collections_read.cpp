// The read routes of PROTOCOL 3: list, get, count, aggregate, collections.
//
// Filters run in C++ on the documents of one snapshot, with the same library that decides
// realtime matches, so REST and realtime can never disagree. (No SQL translation yet: a list
// reads the whole collection. See docs/architecture.md.)
#include "api/handlers.hpp"

#include <cocobase/protocol/filter.hpp>
#include <cocobase/protocol/select.hpp>
#include <cocobase/protocol/sort.hpp>

#include <charconv>
#include <cmath>
#include <limits>

namespace cocobase::server::api {
namespace {

namespace json = protocol::json;
using protocol::Document;

[[noreturn]] void invalid_query(const std::string& detail) {
  throw ApiError{400, "INVALID_QUERY", detail, {}, {}};
}

protocol::Filter parse_filter(const RequestContext& ctx, const std::vector<std::string_view>& reserved) {
  protocol::FilterLimits limits{ctx.config.max_filter_conditions, ctx.config.max_in_items,
                                ctx.config.max_filter_operand_bytes};
  try {
    return protocol::parse_query_filter(ctx.query, reserved, limits);
  } catch (const protocol::FilterError& e) {
    invalid_query(e.detail);
  }
}

std::size_t parse_count_param(const std::string& text, const char* name) {
  std::int64_t v = -1;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || ptr != text.data() + text.size() || v < 0 || v > std::numeric_limits<std::int32_t>::max())
    invalid_query(std::string("Invalid ") + name + " '" + text + "': expected an integer from 0 to 2147483647");
  return static_cast<std::size_t>(v);
}


// The documents of a snapshot that the principal may read (auth/read_access.hpp) and that match
// the filter. With `populator`, population comes first, so filters (and later sorting and
// select) see populated data; without it the caller populates what it returns.
std::vector<Document> readable_matching(const RequestContext& ctx, auth::Rule read, CollectionSnapshot&& snap,
                                        const protocol::Filter& filter, RequestPopulator* populator) {
  auth::ReadScope scope = auth::read_scope(read, ctx.principal);
  std::vector<Document> out;
  for (std::size_t i = 0; i < snap.documents.size(); ++i) {
    if (!scope.allows(snap.owners[i])) continue;
    if (populator) populator->apply(snap.documents[i].data);
    if (filter.empty() || filter.matches(protocol::DocumentFieldSource(snap.documents[i])))
      out.push_back(std::move(snap.documents[i]));
  }
  return out;
}

// Population costs budget (--max-populate-documents): only populate every readable document
// when a filter or the sort may name a populated path, else just the page returned.
bool populate_before_filter(const RequestPopulator& p, const protocol::Filter& filter, const protocol::Path& path) {
  return p.active() && (!filter.empty() || p.touches(path));
}

struct SortSpec {
  protocol::Path path{"created_at"};
  protocol::SortOrder order = protocol::SortOrder::desc;
};

SortSpec parse_sort(const RequestContext& ctx) {
  SortSpec s;
  const std::string* field = protocol::last_value(ctx.query, "sort");
  if (!field) field = protocol::last_value(ctx.query, "sort_by");
  if (field) {
    try {
      if (field->empty()) throw protocol::FilterError{""};
      s.path = protocol::parse_path(*field);
    } catch (const protocol::FilterError&) {
      throw ApiError{400, "INVALID_SORT_FIELD", "Invalid sort field '" + *field + "'", {}, {}};
    }
  }
  const std::string* order = protocol::last_value(ctx.query, "order");
  if (!order) order = protocol::last_value(ctx.query, "sort_order");
  if (order) {
    std::string o;
    for (char c : *order) o.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    if (o == "asc") s.order = protocol::SortOrder::asc;
    else if (o != "desc") invalid_query("Invalid order '" + *order + "': expected asc or desc");
  }
  return s;
}

std::vector<std::string> values_of(const protocol::QueryPairs& q, std::string_view key) {
  std::vector<std::string> out;
  for (const auto& [k, v] : q)
    if (k == key) out.push_back(v);
  return out;
}

HttpResponse with_seq(HttpResponse r, std::uint64_t seq) {
  r.headers.emplace_back("X-Cocobase-Seq", std::to_string(seq));
  return r;
}

// A value that takes part in sum/avg/min/max: a JSON number or numeric text (PROTOCOL 3.10).
std::optional<double> numeric_value(const json::value* v) {
  if (!v) return std::nullopt;
  if (v->is_int64()) return static_cast<double>(v->get_int64());
  if (v->is_uint64()) return static_cast<double>(v->get_uint64());
  if (v->is_double()) return v->get_double();
  if (v->is_string() && protocol::is_numeric_text(v->get_string())) {
    std::string_view s = v->get_string();
    if (!s.empty() && s.front() == '+') s.remove_prefix(1);
    double d = 0;
    std::from_chars(s.data(), s.data() + s.size(), d);
    return d;
  }
  return std::nullopt;
}

json::value aggregate(const std::vector<Document>& docs, const protocol::Filter& filter,
                      const protocol::Path& field, const std::string& op) {
  std::size_t count = 0, n = 0;
  double sum = 0, lo = 0, hi = 0;
  for (const auto& d : docs) {
    protocol::DocumentFieldSource src(d);
    if (!filter.matches(src)) continue;
    const json::value* v = protocol::resolve_path(src, field);
    if (v && !v->is_null()) ++count;
    auto x = numeric_value(v);
    if (!x) continue;
    if (n == 0 || *x < lo) lo = *x;
    if (n == 0 || *x > hi) hi = *x;
    sum += *x;
    ++n;
  }
  // Integral doubles are written without a fraction by append_json, so 3.0 goes out as 3.
  if (op == "count") return json::value(static_cast<std::int64_t>(count));
  if (op == "sum") return json::value(sum);
  if (n == 0) return nullptr;
  if (op == "avg") return json::value(sum / static_cast<double>(n));
  return json::value(op == "min" ? lo : hi);
}

}  // namespace

HttpResponse list_documents(RequestContext& ctx) {
  const auto& c = ctx.config;
  std::size_t limit = c.default_list_limit, offset = 0;
  if (const std::string* v = protocol::last_value(ctx.query, "limit")) limit = parse_count_param(*v, "limit");
  if (const std::string* v = protocol::last_value(ctx.query, "offset")) offset = parse_count_param(*v, "offset");
  limit = std::min(limit, c.max_list_limit);
  SortSpec sort = parse_sort(ctx);
  auto selects = protocol::parse_select(values_of(ctx.query, "select"));
  protocol::Filter filter = parse_filter(ctx, protocol::reserved_keys_common());

  RequestPopulator populator(ctx);
  auto rules = collection_rules(ctx);
  require_admitted(ctx, rules, false);
  auto snap = ctx.store.read_collection(ctx.project, ctx.collection);
  std::uint64_t head_seq = snap.head_seq;
  bool populate_all = populate_before_filter(populator, filter, sort.path);
  auto docs = readable_matching(ctx, rules.read, std::move(snap), filter, populate_all ? &populator : nullptr);
  protocol::sort_documents(docs, sort.path, sort.order);

  std::string body = "[";
  for (std::size_t i = offset; i < docs.size() && i - offset < limit; ++i) {
    if (body.size() > 1) body.push_back(',');
    if (!populate_all) populator.apply(docs[i].data);
    if (!selects.empty()) docs[i].data = protocol::project_select(docs[i].data, selects);
    protocol::append_document_json(body, docs[i]);
  }
  body.push_back(']');
  return with_seq(json_response(200, std::move(body)), head_seq);
}

HttpResponse get_document(RequestContext& ctx, const std::string& id) {
  RequestPopulator populator(ctx);
  auto selects = protocol::parse_select(values_of(ctx.query, "select"));
  auto rules = collection_rules(ctx);
  require_admitted(ctx, rules, false);
  auto read = ctx.store.read_document(ctx.project, ctx.collection, id);
  // Another user's document under the owner rule is not found, not forbidden: existence is
  // not disclosed.
  if (!read.document || !auth::may_read(rules.read, ctx.principal, read.owner_id))
    throw ApiError{404, "NOT_FOUND", "Document not found", {}, {}};
  populator.apply(read.document->data);
  if (!selects.empty()) read.document->data = protocol::project_select(read.document->data, selects);
  return with_seq(json_response(200, protocol::document_json(*read.document)), read.head_seq);
}

HttpResponse count_documents(RequestContext& ctx) {
  protocol::Filter filter = parse_filter(ctx, protocol::reserved_keys_common());
  RequestPopulator populator(ctx);
  auto rules = collection_rules(ctx);
  require_admitted(ctx, rules, false);
  RequestPopulator* p = populate_before_filter(populator, filter, {}) ? &populator : nullptr;
  std::size_t n = readable_matching(ctx, rules.read, ctx.store.read_collection(ctx.project, ctx.collection), filter, p).size();
  return json_response(200, "{\"count\":" + std::to_string(n) + "}");
}

HttpResponse aggregate_documents(RequestContext& ctx) {
  const std::string* field = protocol::last_value(ctx.query, "field");
  if (!field || field->empty()) invalid_query("Query parameter 'field' is required");
  const std::string* op = protocol::last_value(ctx.query, "operation");
  static const std::vector<std::string> ops{"count", "sum", "avg", "min", "max"};
  if (!op || std::find(ops.begin(), ops.end(), *op) == ops.end())
    throw ApiError{400, "INVALID_OPERATOR",
                   "Invalid aggregate operation '" + (op ? *op : std::string()) + "': expected count, sum, avg, min or max",
                   {}, {}};
  protocol::Path path;
  try {
    path = protocol::parse_path(*field);
  } catch (const protocol::FilterError& e) {
    invalid_query("Invalid field '" + *field + "'");
  }
  protocol::Filter filter = parse_filter(ctx, protocol::reserved_keys_aggregate());
  RequestPopulator populator(ctx);
  auto rules = collection_rules(ctx);
  require_admitted(ctx, rules, false);
  RequestPopulator* p = populate_before_filter(populator, filter, path) ? &populator : nullptr;
  auto docs = readable_matching(ctx, rules.read, ctx.store.read_collection(ctx.project, ctx.collection),
                                protocol::Filter{}, p);
  json::object out;
  out["collection"] = ctx.collection;
  out["field"] = *field;
  out["operation"] = *op;
  out["result"] = aggregate(docs, filter, path, *op);
  return json_response(200, protocol::to_json(out));
}

HttpResponse list_collections(RequestContext& ctx) {
  json::array out;
  for (const auto& c : ctx.store.list_collections(ctx.project))
    out.push_back(json::object{{"id", c.id}, {"name", c.name}, {"created_at", c.created_at}});
  return json_response(200, protocol::to_json(json::value(std::move(out))));
}

HttpResponse get_collection(RequestContext& ctx) {
  auto c = ctx.store.get_collection(ctx.project, ctx.collection);
  if (!c) throw ApiError{404, "COLLECTION_NOT_FOUND", "Collection '" + ctx.collection + "' not found", {}, {}};
  json::object out{{"id", c->id}, {"name", c->name}, {"created_at", c->created_at}, {"document_count", c->document_count}};
  return json_response(200, protocol::to_json(out));
}

}  // namespace cocobase::server::api
