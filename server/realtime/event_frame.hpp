#pragma once
// The create/update/delete messages of a collection watch (PROTOCOL 5.2, 8a, 8b), and the 8b
// rule deciding which watcher sees which update.
#include "store/change_event.hpp"

#include <cocobase/protocol/filter.hpp>

#include <string>

namespace cocobase::server::realtime {

struct EventVariant {
  bool left_filter = false;
  bool replay = false;
};

// The whole message. Depends only on the event and the variant, so watchers that share a
// variant can share the bytes.
std::string event_frame(const ChangeEvent& e, EventVariant v, bool document_alias);

// Whether a watcher with `filter` receives `e` (8b), and with which left_filter flag.
struct FilterOutcome {
  bool deliver = false;
  bool left_filter = false;
};
FilterOutcome apply_filter(const protocol::Filter& filter, const ChangeEvent& e);

}  // namespace cocobase::server::realtime
