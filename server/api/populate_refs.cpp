// `populate` for REST reads (PROTOCOL 4.10): references resolve to a document of any
// collection of the project, else to an app user (never its password hash), but only to what
// the caller may read (docs/auth.md), within a per-response budget (docs/limits.md).
#include "api/handlers.hpp"

#include <cocobase/protocol/populate.hpp>

namespace cocobase::server::api {
namespace {

namespace json = protocol::json;

json::object document_record(const protocol::Document& d) {
  json::object o{{"id", d.id}};  // the real id wins over a data member named id
  for (const auto& m : d.data)
    if (m.key() != "id") o[m.key()] = m.value();
  return o;
}

// User records are private (docs/auth.md): others learn only that the user exists and since when.
json::object user_record(const UserRecord& u, auth::UserView view) {
  if (view == auth::UserView::minimal) return json::object{{"id", u.id}, {"created_at", u.created_at}};
  json::object o{{"id", u.id}, {"email", u.email}, {"roles", u.roles}, {"created_at", u.created_at}};
  for (const auto& m : u.data)
    if (!o.contains(m.key())) o[m.key()] = m.value();
  return o;
}

}  // namespace

RequestPopulator::RequestPopulator(const RequestContext& ctx)
    : store_(ctx.store), config_(ctx.config), project_(ctx.project), principal_(ctx.principal) {
  std::vector<std::string> values;
  for (const auto& [k, v] : ctx.query)
    if (k == "populate") values.push_back(v);
  try {
    chains_ = protocol::parse_populate(values, ctx.config.max_populate_depth);
  } catch (const protocol::FilterError& e) {
    throw ApiError{400, "INVALID_QUERY", e.detail, {}, {}};
  }
}

bool RequestPopulator::touches(const protocol::Path& path) const {
  if (path.empty()) return false;
  for (const auto& chain : chains_)
    if (!chain.empty() && chain.front() == path.front()) return true;
  return false;
}

auth::Rule RequestPopulator::read_rule(const std::string& collection) {
  auto it = rules_.find(collection);
  if (it == rules_.end())
    it = rules_.emplace(collection, auth::interpret(store_.get_rules(project_, collection)).read).first;
  return it->second;
}

std::optional<json::object> RequestPopulator::readable_record(const std::string& id) {
  DocumentRead d = store_.document_by_id(project_, id);
  if (d.document) {
    // A document the caller may not read is null, exactly like a missing one: neither its
    // fields nor its existence leak through the response, a filter, a sort or an aggregate.
    if (!auth::may_read(read_rule(d.document->collection), principal_, d.owner_id)) return std::nullopt;
    return document_record(*d.document);
  }
  if (auto u = store_.user_by_id(project_, id)) return user_record(*u, auth::user_view(principal_, u->id));
  return std::nullopt;
}

const RequestPopulator::Record& RequestPopulator::record(const std::string& id) {
  // One lookup per distinct id per request, however many documents name it.
  auto it = memo_.find(id);
  if (it != memo_.end()) return it->second;
  Record r;
  r.value = readable_record(id);
  if (r.value) r.bytes = protocol::to_json(*r.value).size();
  return memo_.emplace(id, std::move(r)).first->second;
}

// Every inserted copy counts, repeats included: a document referencing itself 300 times,
// populated two levels deep, inserts 90,300 copies from one lookup each (issue 12).
void RequestPopulator::charge(const Record& r) {
  if (!r.value) return;
  ++inserted_documents_;
  inserted_bytes_ += r.bytes;
  if (inserted_documents_ > config_.max_populate_documents)
    throw ApiError{400, "INVALID_QUERY",
                   "populate would insert more than " + std::to_string(config_.max_populate_documents) +
                       " records in one response (--max-populate-documents)",
                   {}, {}};
  if (inserted_bytes_ > config_.max_populate_bytes)
    throw ApiError{400, "INVALID_QUERY",
                   "populate would add more than " + std::to_string(config_.max_populate_bytes) +
                       " bytes to one response (--max-populate-bytes)",
                   {}, {}};
}

void RequestPopulator::apply(json::object& data) {
  if (chains_.empty()) return;
  // The budget is checked before each copy is made, so an oversized request stops early.
  protocol::PopulateLookup lookup = [this](const std::string& id) {
    const Record& r = record(id);
    charge(r);
    return r.value;
  };
  protocol::populate(data, chains_, lookup);
}

}  // namespace cocobase::server::api
