#pragma once
// One committed document write, as the change log keeps it (PROTOCOL 8a) and the bus carries it.
#include <cocobase/protocol/document.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace cocobase::server {

enum class ChangeKind { create, update, del };

const char* change_kind_name(ChangeKind k);

struct ChangeEvent {
  std::string project;
  std::uint64_t seq = 0;
  ChangeKind kind = ChangeKind::create;
  protocol::Document document;                      // after the write; for a delete, before it
  std::optional<protocol::json::object> old_data;   // updates only
  std::string old_updated_at;                       // updates only
  std::int64_t committed_unix_ms = 0;
  std::string owner_id;  // the document's creating user, or "" (access rules)
};

// Events are immutable once published and shared by every consumer.
using ChangeEventPtr = std::shared_ptr<const ChangeEvent>;

}  // namespace cocobase::server
