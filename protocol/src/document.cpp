#include <cocobase/protocol/document.hpp>

namespace cocobase::protocol {

void append_document_json(std::string& out, const Document& d) {
  out.append("{\"id\":");
  append_json_string(out, d.id);
  out.append(",\"collection\":");
  append_json_string(out, d.collection);
  out.append(",\"collection_id\":");
  append_json_string(out, d.collection_id);
  out.append(",\"data\":");
  append_json(out, d.data);
  out.append(",\"created_at\":");
  append_json_string(out, d.created_at);
  out.append(",\"updated_at\":");
  append_json_string(out, d.updated_at);
  out.push_back('}');
}

std::string document_json(const Document& d) {
  std::string out;
  append_document_json(out, d);
  return out;
}

DocumentFieldSource::DocumentFieldSource(const Document& d)
    : doc_(d), id_(d.id), created_at_(d.created_at), updated_at_(d.updated_at) {}

const json::value* DocumentFieldSource::top(std::string_view name) const {
  if (name == "id") return &id_;
  if (name == "created_at") return &created_at_;
  if (name == "updated_at") return &updated_at_;
  auto it = doc_.data.find(name);
  return it == doc_.data.end() ? nullptr : &it->value();
}

}  // namespace cocobase::protocol
