#pragma once
// The Document shape of PROTOCOL 2, and the field-path resolution of 4.4 used by filters,
// sorting and projection.
#include <cocobase/protocol/json.hpp>

#include <string>
#include <string_view>

namespace cocobase::protocol {

struct Document {
  std::string id;
  std::string collection;     // the collection name
  std::string collection_id;  // the collection's UUID
  json::object data;
  std::string created_at;     // YYYY-MM-DDTHH:MM:SS.sssZ
  std::string updated_at;
};

// Appends the Document's JSON (all six members, in the order of PROTOCOL 2).
void append_document_json(std::string& out, const Document& d);
std::string document_json(const Document& d);

// Where a field path starts: the first segment of a path picks a top-level value.
// Implementations decide which names are metadata (documents: id, created_at, updated_at;
// app users: id, email, created_at, updated_at, roles).
class FieldSource {
 public:
  virtual ~FieldSource() = default;
  // The value named by the first path segment, or nullptr when missing. The pointer stays
  // valid for the life of the FieldSource.
  virtual const json::value* top(std::string_view name) const = 0;
};

// Resolves documents: id, created_at, updated_at are metadata; anything else is a member of data.
class DocumentFieldSource final : public FieldSource {
 public:
  explicit DocumentFieldSource(const Document& d);
  const json::value* top(std::string_view name) const override;

 private:
  const Document& doc_;
  json::value id_, created_at_, updated_at_;
};

}  // namespace cocobase::protocol
