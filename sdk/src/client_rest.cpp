// The REST methods of Client (PROTOCOL 3, 6.1, 7, 9.1). Client's constructor, destructor and
// the realtime factories live in client.cpp.
#include "client_core.hpp"
#include "http/base_url.hpp"
#include "json_members.hpp"
#include "rest/decode.hpp"
#include "rest/rooms.hpp"

#include <cocobase/client.hpp>
#include <cocobase/protocol/json.hpp>

namespace cocobase {
namespace {

using detail::encode_path_segment;
using detail::encode_query_value;

std::string collection_path(std::string_view collection) {
  return "/collections/" + encode_path_segment(collection);
}

std::string document_path(std::string_view collection, std::string_view id) {
  return collection_path(collection) + "/documents/" + encode_path_segment(id);
}

std::string with_query(std::string path, const std::string& query) {
  if (!query.empty()) path += "?" + query;
  return path;
}

// get_document honours only select and populate of a Query (PROTOCOL 3.5).
std::string projection_query(const Query& q) {
  Query projection;
  projection.populate(q.populate_fields()).select(q.select_fields());
  return projection.to_query_string(false);
}

std::string body_text(const json::value& v) { return protocol::to_json(v); }

}  // namespace

const ClientConfig& Client::config() const { return core_->config(); }

Document Client::create_document(std::string_view collection, const json::object& data) {
  auto target = "/collections/documents?collection=" + encode_query_value(collection);
  auto response = core_->call("POST", target, body_text(json::object{{"data", data}}));
  return document_from_json(detail::parse_body(response));
}

Document Client::get_document(std::string_view collection, std::string_view id, const Query& q) {
  auto response = core_->call("GET", with_query(document_path(collection, id), projection_query(q)));
  return document_from_json(detail::parse_body(response));
}

Document Client::update_document(std::string_view collection, std::string_view id,
                                 const json::object& patch) {
  auto response = core_->call("PATCH", document_path(collection, id),
                              body_text(json::object{{"data", patch}}));
  return document_from_json(detail::parse_body(response));
}

void Client::delete_document(std::string_view collection, std::string_view id) {
  core_->call("DELETE", document_path(collection, id));
}

ListResult Client::list_documents(std::string_view collection, const Query& q) {
  auto response =
      core_->call("GET", with_query(collection_path(collection) + "/documents", q.to_query_string()));
  ListResult result;
  result.documents = detail::documents_from_json(detail::parse_body(response));
  result.seq = detail::seq_header(response);
  return result;
}

std::int64_t Client::count_documents(std::string_view collection, const Query& q) {
  auto target = with_query(collection_path(collection) + "/query/documents/count",
                           q.to_query_string());
  auto body = detail::parse_body(core_->call("GET", target));
  const json::object& o = detail::expect_object(body, "count answer");
  const json::value* count = o.if_contains("count");
  if (!count || !count->is_number()) throw Error("unexpected count answer: no numeric `count`");
  return detail::int_member(o, "count");
}

json::value Client::aggregate(std::string_view collection, std::string_view field,
                              std::string_view operation, const Query& q) {
  std::string query = "field=" + encode_query_value(field) +
                      "&operation=" + encode_query_value(operation);
  if (auto filters = q.to_query_string(); !filters.empty()) query += "&" + filters;
  auto target = with_query(collection_path(collection) + "/query/documents/aggregate", query);
  auto body = detail::parse_body(core_->call("GET", target));
  const json::object& o = detail::expect_object(body, "aggregate answer");
  const json::value* result = o.if_contains("result");
  if (!result) throw Error("unexpected aggregate answer: no `result`");
  return *result;
}

std::vector<Document> Client::batch_create(std::string_view collection,
                                           const std::vector<json::object>& documents) {
  json::array items;
  for (const json::object& d : documents) items.push_back(d);
  auto response = core_->call("POST", collection_path(collection) + "/batch/documents/create",
                              body_text(json::object{{"documents", std::move(items)}}));
  return detail::documents_from_json(detail::parse_body(response));
}

std::vector<Document> Client::batch_update(
    std::string_view collection, const std::vector<std::pair<std::string, json::object>>& updates) {
  json::object by_id;
  for (const auto& [id, patch] : updates) by_id[id] = patch;
  auto response = core_->call("POST", collection_path(collection) + "/batch/documents/update",
                              body_text(json::object{{"updates", std::move(by_id)}}));
  return detail::documents_from_json(detail::parse_body(response));
}

std::int64_t Client::batch_delete(std::string_view collection, const std::vector<std::string>& ids) {
  json::array id_array;
  for (const std::string& id : ids) id_array.emplace_back(id);
  auto response = core_->call("POST", collection_path(collection) + "/batch/documents/delete",
                              body_text(json::object{{"document_ids", std::move(id_array)}}));
  auto body = detail::parse_body(response);
  return detail::int_member(detail::expect_object(body, "batch delete answer"), "count");
}

std::vector<CollectionInfo> Client::list_collections() {
  return detail::collections_from_json(detail::parse_body(core_->call("GET", "/collections")));
}

std::vector<RoomSummary> Client::list_rooms() { return detail::fetch_rooms(*core_); }

}  // namespace cocobase
