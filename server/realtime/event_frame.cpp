#include "realtime/event_frame.hpp"

namespace cocobase::server::realtime {
namespace {

// B of 8b without copying the document: previous data and updated_at, same identity.
class BeforeUpdateSource final : public protocol::FieldSource {
 public:
  explicit BeforeUpdateSource(const ChangeEvent& e)
      : data_(*e.old_data), id_(e.document.id), created_at_(e.document.created_at), updated_at_(e.old_updated_at) {}
  const protocol::json::value* top(std::string_view name) const override {
    if (name == "id") return &id_;
    if (name == "created_at") return &created_at_;
    if (name == "updated_at") return &updated_at_;
    auto it = data_.find(name);
    return it == data_.end() ? nullptr : &it->value();
  }

 private:
  const protocol::json::object& data_;
  protocol::json::value id_, created_at_, updated_at_;
};

}  // namespace

std::string event_frame(const ChangeEvent& e, EventVariant v, bool document_alias) {
  std::string doc = protocol::document_json(e.document);
  std::string out;
  out.reserve(doc.size() * (document_alias ? 2 : 1) + 128);
  out += R"({"event":")";
  out += change_kind_name(e.kind);
  out += R"(","collection_id":)";
  protocol::append_json_string(out, e.document.collection);
  out += R"(,"seq":)";
  out += std::to_string(e.seq);
  out += R"(,"data":)";
  out += doc;
  if (document_alias) {
    out += R"(,"document":)";
    out += doc;
  }
  if (e.kind == ChangeKind::update && e.old_data) {
    out += R"(,"old_data":)";
    protocol::append_json(out, *e.old_data);
  }
  if (v.replay) out += R"(,"replay":true)";
  if (v.left_filter) out += R"(,"left_filter":true)";
  out += '}';
  return out;
}

FilterOutcome apply_filter(const protocol::Filter& filter, const ChangeEvent& e) {
  if (filter.empty()) return {true, false};
  bool after = filter.matches(protocol::DocumentFieldSource(e.document));
  if (e.kind != ChangeKind::update || !e.old_data) return {after, false};
  bool was = filter.matches(BeforeUpdateSource(e));
  return {was || after, was && !after};
}

}  // namespace cocobase::server::realtime
