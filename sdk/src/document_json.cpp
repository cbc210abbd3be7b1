#include "json_members.hpp"

#include <cocobase/json.hpp>

namespace cocobase {

Document document_from_json(const json::value& v) {
  const json::object& o = detail::expect_object(v, "document");
  const json::value* id = o.if_contains("id");
  if (!id || !id->is_string()) throw Error("unexpected document: `id` is missing or not a string");
  const json::value* data = o.if_contains("data");
  if (!data || !data->is_object()) {
    throw Error("unexpected document: `data` is missing or not an object");
  }
  Document d;
  d.id = std::string(id->get_string());
  d.collection = detail::string_member(o, "collection");
  d.collection_id = detail::string_member(o, "collection_id");
  d.data = data->get_object();
  // Timestamps stay text: the server sends the 1.3 form, and any RFC 3339 text is accepted
  // as is rather than reformatted.
  d.created_at = detail::string_member(o, "created_at");
  d.updated_at = detail::string_member(o, "updated_at");
  return d;
}

json::value document_to_json(const Document& d) {
  return json::object{{"id", d.id},
                      {"collection", d.collection},
                      {"collection_id", d.collection_id},
                      {"data", d.data},
                      {"created_at", d.created_at},
                      {"updated_at", d.updated_at}};
}

}  // namespace cocobase
