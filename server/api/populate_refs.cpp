// `populate` for REST reads (PROTOCOL 4.10): references resolve to a document of any
// collection of the project, else to an app user (never its password hash).
#include "api/handlers.hpp"

#include <cocobase/protocol/populate.hpp>

namespace cocobase::server::api {
namespace {

namespace json = protocol::json;

std::optional<json::object> lookup_record(Store& store, const std::string& project, const std::string& id) {
  if (auto d = store.document_by_id(project, id)) {
    json::object o{{"id", d->id}};  // the real id wins over a data member named id
    for (const auto& m : d->data)
      if (m.key() != "id") o[m.key()] = m.value();
    return o;
  }
  if (auto u = store.user_by_id(project, id)) {
    json::object o{{"id", u->id}, {"email", u->email}, {"roles", u->roles}, {"created_at", u->created_at}};
    for (const auto& m : u->data)
      if (!o.contains(m.key())) o[m.key()] = m.value();
    return o;
  }
  return std::nullopt;
}

}  // namespace

RequestPopulator::RequestPopulator(const RequestContext& ctx) : store_(ctx.store), project_(ctx.project) {
  std::vector<std::string> values;
  for (const auto& [k, v] : ctx.query)
    if (k == "populate") values.push_back(v);
  try {
    chains_ = protocol::parse_populate(values, ctx.config.max_populate_depth);
  } catch (const protocol::FilterError& e) {
    throw ApiError{400, "INVALID_QUERY", e.detail, {}, {}};
  }
}

void RequestPopulator::apply(json::object& data) {
  if (chains_.empty()) return;
  // One lookup per distinct id per request, however many documents name it.
  protocol::PopulateLookup lookup = [this](const std::string& id) {
    auto it = memo_.find(id);
    if (it == memo_.end()) it = memo_.emplace(id, lookup_record(store_, project_, id)).first;
    return it->second;
  };
  protocol::populate(data, chains_, lookup);
}

}  // namespace cocobase::server::api
