#pragma once
// Internal to the api module: what every handler gets, and the handlers themselves.
#include "api/api.hpp"
#include "api/api_error.hpp"
#include "api/blocking_pool.hpp"
#include "auth/access_rules.hpp"
#include "auth/read_access.hpp"
#include "auth/jwt.hpp"

#include <cocobase/protocol/json.hpp>
#include <cocobase/protocol/query_string.hpp>

#include <cocobase/protocol/filter.hpp>

#include <map>
#include <optional>
#include <string>

namespace cocobase::server::api {

struct RequestContext {
  Store& store;
  const ServerConfig& config;
  Metrics& metrics;
  HttpRequest& request;
  const auth::JwtCodec& jwt;
  BlockingPool& blocking;
  RequestLimits& limits;
  protocol::QueryPairs query;
  std::string project;     // set by the authenticate_* functions
  auth::Principal principal;  // collections routes: who asks (access rules)
  std::string collection;  // validated collection name, when the route has one
};

// The auth classes of PROTOCOL 1.5. Throw ApiError (401, or 403 for a token where only a key
// will do).
// "project": an API key, or (without an x-api-key header) a user token.
auth::Principal authenticate_project(Store& store, const auth::JwtCodec& jwt, const HttpRequest& request);
// "key": an API key only. token_only_is_forbidden: a token alone gets 403 (user listing).
auth::Principal authenticate_key(Store& store, const HttpRequest& request, bool token_only_is_forbidden);
// "user": a user token whose user still exists; x-api-key is ignored.
UserRecord authenticate_user(Store& store, const auth::JwtCodec& jwt, const HttpRequest& request);

// Request bodies (PROTOCOL 1.2, 3.1). Throw ApiError.
protocol::json::value parse_body(const RequestContext& ctx);
// Rule D1: the wrapped {"data": {...}} form or a bare object.
protocol::json::object data_object(protocol::json::value& v, protocol::json::array loc);
void check_document_size(const RequestContext& ctx, const protocol::json::object& data,
                         const protocol::json::array& loc);

// Access rules of ctx.collection (api/access.cpp). Throws 403 FORBIDDEN when the principal
// may not use the collection at all for reading (write=false) or writing (write=true).
auth::CollectionRules collection_rules(const RequestContext& ctx);
void require_admitted(const RequestContext& ctx, const auth::CollectionRules& rules, bool write);
// For writes under the owner rule: the owner a document must have (nullopt: any).
std::optional<std::string> required_owner(const RequestContext& ctx, const auth::CollectionRules& rules);

// The request's `populate` chains (PROTOCOL 4.10), applied to one data object at a time.
// A reference resolves only to what ctx.principal may read (auth/read_access.hpp): a document
// under its collection's read rule, a user record in the view user_view() gives; anything else
// comes back null, as if missing. One response may insert at most --max-populate-documents
// records and --max-populate-bytes of them: apply() throws 400 INVALID_QUERY as soon as either
// is passed, before the rest is built. Throws ApiError (400 INVALID_QUERY) for invalid chains.
// Construct after authentication.
class RequestPopulator {
 public:
  explicit RequestPopulator(const RequestContext& ctx);
  bool active() const { return !chains_.empty(); }
  // Whether `path` starts at a populated field: a filter or sort on it needs population first.
  bool touches(const protocol::Path& path) const;
  void apply(protocol::json::object& data);

 private:
  struct Record {
    std::optional<protocol::json::object> value;  // nullopt: missing or not readable
    std::size_t bytes = 0;                        // serialized size, charged per inserted copy
  };
  const Record& record(const std::string& id);
  std::optional<protocol::json::object> readable_record(const std::string& id);
  auth::Rule read_rule(const std::string& collection);
  void charge(const Record& r);

  Store& store_;
  const ServerConfig& config_;
  std::string project_;
  auth::Principal principal_;
  std::vector<protocol::Path> chains_;
  std::map<std::string, Record> memo_;
  std::map<std::string, auth::Rule> rules_;  // read rule per referenced collection
  std::size_t inserted_documents_ = 0, inserted_bytes_ = 0;
};

// Reads: respond synchronously.
HttpResponse list_documents(RequestContext& ctx);
HttpResponse get_document(RequestContext& ctx, const std::string& id);
HttpResponse count_documents(RequestContext& ctx);
HttpResponse aggregate_documents(RequestContext& ctx);
HttpResponse list_collections(RequestContext& ctx);
HttpResponse get_collection(RequestContext& ctx);

// Writes: submit to the store and respond from its callback.
void create_document(RequestContext& ctx, Respond respond);
void update_document(RequestContext& ctx, const std::string& id, Respond respond);
void delete_document(RequestContext& ctx, const std::string& id, Respond respond);
void batch_create(RequestContext& ctx, Respond respond);
void batch_update(RequestContext& ctx, Respond respond);
void batch_delete(RequestContext& ctx, Respond respond);
void create_collection(RequestContext& ctx, Respond respond);

// App users (PROTOCOL 7): everything under /auth-collections.
void route_users(RequestContext& ctx, const std::vector<std::string>& segments, const Respond& respond);

HttpResponse json_response(int status, std::string body);

}  // namespace cocobase::server::api
