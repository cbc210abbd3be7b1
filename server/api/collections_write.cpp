// The write routes of PROTOCOL 3: validate here, then hand one WriteRequest to the store's
// writer (group commit) and answer from its callback.
#include "api/handlers.hpp"

#include <cocobase/protocol/names.hpp>

namespace cocobase::server::api {
namespace {

namespace json = protocol::json;

HttpResponse with_seq(int status, std::string body, std::uint64_t seq) {
  HttpResponse r = json_response(status, std::move(body));
  r.headers.emplace_back("X-Cocobase-Seq", std::to_string(seq));
  return r;
}

std::string documents_array(const std::vector<protocol::Document>& docs) {
  std::string body = "[";
  for (const auto& d : docs) {
    if (body.size() > 1) body.push_back(',');
    protocol::append_document_json(body, d);
  }
  body.push_back(']');
  return body;
}

// Maps a failed write to its error; returns false when the write succeeded.
bool respond_failure(const WriteResult& r, const Respond& respond, bool batch) {
  switch (r.status) {
    case WriteStatus::ok: return false;
    case WriteStatus::not_found:
      respond(error_response(ApiError{404, "NOT_FOUND", batch ? "Document not found: " + r.missing_id : "Document not found", {}, {}}));
      return true;
    case WriteStatus::too_large:
      respond(error_response(ApiError{413, "PAYLOAD_TOO_LARGE",
                                      "Document data would be over the size limit after the update: " + r.missing_id, {}, {}}));
      return true;
    case WriteStatus::already_exists:
      respond(error_response(ApiError{409, "ALREADY_EXISTS", "Collection already exists", {}, {}}));
      return true;
    case WriteStatus::invalid_data:
      respond(error_response(ApiError{400, "INVALID_JSON", "Numbers must be finite", {}, {}}));
      return true;
    case WriteStatus::storage_full:
      respond(error_response(storage_full_error()));
      return true;
    case WriteStatus::failed:
      respond(error_response(ApiError{500, "INTERNAL_ERROR", "Internal server error", {}, {}}));
      return true;
  }
  return true;
}

void check_batch_size(const RequestContext& ctx, std::size_t n) {
  if (n > ctx.config.max_batch_size)
    throw ApiError{413, "PAYLOAD_TOO_LARGE",
                   "Batch of " + std::to_string(n) + " items is over the limit of " + std::to_string(ctx.config.max_batch_size),
                   {}, {}};
}

json::value& member(json::value& body, const char* name, json::kind kind, const char* what) {
  json::object* obj = body.if_object();
  json::value* v = obj ? obj->if_contains(name) : nullptr;
  if (!v || v->kind() != kind) throw validation_error(std::string(name) + " must be " + what, {"body", name});
  return *v;
}

// Documents created by a user are owned by that user (server metadata, see docs/auth.md).
std::string new_owner(const RequestContext& ctx) { return ctx.principal.is_user() ? ctx.principal.user_id : ""; }

void count_writes(Metrics& m, const WriteResult& r) {
  m.documents_written.fetch_add(r.documents.size(), std::memory_order_relaxed);
}

}  // namespace

void create_document(RequestContext& ctx, Respond respond) {
  require_admitted(ctx, collection_rules(ctx), true);
  json::value body = parse_body(ctx);
  json::object data = data_object(body, {"body"});
  check_document_size(ctx, data, {"body"});
  CreateDocuments w{ctx.project, ctx.collection, {}, new_owner(ctx)};
  w.data.push_back(std::move(data));
  ctx.store.submit(std::move(w), [respond, &m = ctx.metrics](WriteResult r) {
    if (respond_failure(r, respond, false)) return;
    count_writes(m, r);
    respond(with_seq(201, protocol::document_json(r.documents.front()), r.seq));
  });
}

void update_document(RequestContext& ctx, const std::string& id, Respond respond) {
  auto rules = collection_rules(ctx);
  require_admitted(ctx, rules, true);
  json::value body = parse_body(ctx);
  json::object patch = data_object(body, {"body"});
  check_document_size(ctx, patch, {"body"});
  UpdateDocuments w{ctx.project, ctx.collection, {}, ctx.config.max_document_bytes, required_owner(ctx, rules)};
  w.patches.emplace_back(id, std::move(patch));
  ctx.store.submit(std::move(w), [respond, &m = ctx.metrics](WriteResult r) {
    if (respond_failure(r, respond, false)) return;
    count_writes(m, r);
    respond(with_seq(200, protocol::document_json(r.documents.front()), r.seq));
  });
}

void delete_document(RequestContext& ctx, const std::string& id, Respond respond) {
  auto rules = collection_rules(ctx);
  require_admitted(ctx, rules, true);
  DeleteDocuments w{ctx.project, ctx.collection, {id}, true, required_owner(ctx, rules)};
  ctx.store.submit(std::move(w), [respond, id, &m = ctx.metrics](WriteResult r) {
    if (respond_failure(r, respond, false)) return;
    count_writes(m, r);
    json::object out{{"success", true}, {"id", id}, {"message", "Document deleted successfully"}};
    respond(with_seq(200, protocol::to_json(out), r.seq));
  });
}

void batch_create(RequestContext& ctx, Respond respond) {
  require_admitted(ctx, collection_rules(ctx), true);
  json::value body = parse_body(ctx);
  json::array& docs = member(body, "documents", json::kind::array, "an array").get_array();
  check_batch_size(ctx, docs.size());
  CreateDocuments w{ctx.project, ctx.collection, {}, new_owner(ctx)};
  for (std::size_t i = 0; i < docs.size(); ++i) {
    json::array loc{"body", "documents", i};
    w.data.push_back(data_object(docs[i], loc));
    check_document_size(ctx, w.data.back(), loc);
  }
  ctx.store.submit(std::move(w), [respond, &m = ctx.metrics](WriteResult r) {
    if (respond_failure(r, respond, true)) return;
    count_writes(m, r);
    respond(with_seq(201, documents_array(r.documents), r.seq));
  });
}

void batch_update(RequestContext& ctx, Respond respond) {
  auto rules = collection_rules(ctx);
  require_admitted(ctx, rules, true);
  json::value body = parse_body(ctx);
  json::object& updates = member(body, "updates", json::kind::object, "an object").get_object();
  check_batch_size(ctx, updates.size());
  UpdateDocuments w{ctx.project, ctx.collection, {}, ctx.config.max_document_bytes, required_owner(ctx, rules)};
  for (auto& m : updates) {
    json::array loc{"body", "updates", m.key()};
    w.patches.emplace_back(std::string(m.key()), data_object(m.value(), loc));
    check_document_size(ctx, w.patches.back().second, loc);
  }
  ctx.store.submit(std::move(w), [respond, &m = ctx.metrics](WriteResult r) {
    if (respond_failure(r, respond, true)) return;
    count_writes(m, r);
    respond(with_seq(200, documents_array(r.documents), r.seq));
  });
}

void batch_delete(RequestContext& ctx, Respond respond) {
  auto rules = collection_rules(ctx);
  require_admitted(ctx, rules, true);
  json::value body = parse_body(ctx);
  json::array& ids = member(body, "document_ids", json::kind::array, "an array of strings").get_array();
  check_batch_size(ctx, ids.size());
  DeleteDocuments w{ctx.project, ctx.collection, {}, false, required_owner(ctx, rules)};
  for (std::size_t i = 0; i < ids.size(); ++i) {
    if (!ids[i].is_string()) throw validation_error("document id must be a string", {"body", "document_ids", i});
    w.ids.emplace_back(ids[i].get_string());
  }
  ctx.store.submit(std::move(w), [respond, &m = ctx.metrics](WriteResult r) {
    if (respond_failure(r, respond, true)) return;
    count_writes(m, r);
    std::size_t n = r.documents.size();
    json::object out{{"status", "success"}, {"message", std::to_string(n) + " documents deleted"}, {"count", n}};
    respond(with_seq(200, protocol::to_json(out), r.seq));
  });
}

void create_collection(RequestContext& ctx, Respond respond) {
  json::value body = parse_body(ctx);
  json::value& name = member(body, "name", json::kind::string, "a string");
  std::string n(name.get_string());
  if (n.empty()) throw validation_error("name must not be empty", {"body", "name"});
  if (!protocol::is_valid_collection_name(n))
    throw ApiError{400, "INVALID_COLLECTION_NAME", "Invalid collection name '" + n + "'", {}, {}};
  ctx.store.submit(CreateCollection{ctx.project, n}, [respond](WriteResult r) {
    if (respond_failure(r, respond, false)) return;
    const auto& c = *r.collection;
    json::object out{{"id", c.id}, {"name", c.name}, {"created_at", c.created_at}};
    respond(json_response(201, protocol::to_json(out)));
  });
}

}  // namespace cocobase::server::api
