#include "realtime/watch_session.hpp"

#include "auth/read_access.hpp"
#include "realtime/event_frame.hpp"

#include <cocobase/protocol/names.hpp>

#include <algorithm>


namespace cocobase::server::realtime {

namespace json = protocol::json;

void WatchSession::on_open() {
  if (!protocol::is_valid_collection_name(collection_)) fail(WsError{"INVALID_COLLECTION_NAME", {}});
}

void WatchSession::on_closed() {
  done_ = true;
  if (watcher_) hub_.remove(*watcher_);
  watcher_.reset();
}

void WatchSession::on_authenticated(AuthMessage& auth) {
  // Step 7: filters, then resume_from.
  json::object filters_echo;
  auto filter = std::make_shared<protocol::Filter>();
  if (auto it = auth.raw.find("filters"); it != auth.raw.end() && !it->value().is_null()) {
    WsError bad{"INVALID_FILTER", {}};
    const json::object* f = it->value().if_object();
    if (!f) {
      bad.extra["error_detail"] = "filters must be a JSON object";
      return fail(std::move(bad));
    }
    try {
      *filter = protocol::parse_ws_filter(
          *f, {config_.max_filter_conditions, config_.max_in_items, config_.max_filter_operand_bytes});
    } catch (const protocol::FilterError& e) {
      if (!e.key.empty()) bad.extra["key"] = e.key;
      bad.extra["error_detail"] = e.detail;
      return fail(std::move(bad));
    }
    filters_echo = *f;
  }
  std::optional<std::uint64_t> resume_from;
  if (auto it = auth.raw.find("resume_from"); it != auth.raw.end() && !it->value().is_null()) {
    const json::value& v = it->value();
    if (v.is_uint64()) resume_from = v.get_uint64();
    else if (v.is_int64() && v.get_int64() >= 0) resume_from = static_cast<std::uint64_t>(v.get_int64());
    else return fail(WsError{"INVALID_RESUME", {}});
  }

  // The collection's read rule (docs/auth.md, auth/read_access.hpp). Checked again on every
  // rules change while the watch is open (access_recheck.hpp).
  const std::uint64_t passes = access_.passes();
  auth::Rule rule = auth::interpret(store_.get_rules(auth.project, collection_)).read;
  auth::ReadScope scope = auth::read_scope(rule, auth.principal);
  if (!scope.admitted) {
    WsError e{"FORBIDDEN", {}};
    e.extra["error_detail"] = std::string("the read rule of collection '") + collection_ + "' is '" +
                              auth::rule_name(rule) + "'";
    return fail(std::move(e));
  }

  // Register first (buffering), then read the head: nothing committed after the read can be
  // missed, and anything at or below it is dropped by go_live.
  std::string filter_key = protocol::to_json(filters_echo);
  watcher_ = std::make_shared<Watcher>(weak_, auth.project, collection_, std::move(filter), std::move(filter_key),
                                       std::move(scope.owner), config_.ws_max_queue_bytes);
  hub_.add(watcher_);
  access_.attach_watch(&conn_, collection_, watcher_);
  // A re-check pass that began after the rule was read may have found no watcher to check.
  if (access_.passes() != passes) access_.recheck(&conn_);
  // Only the bounds here; a replay reads the log a page at a time (continue_replay).
  ChangeLogRead read = store_.read_changelog(auth.project, collection_, 0, 0, 0);

  std::string connected = R"({"event":"connected","collection_id":)";
  protocol::append_json_string(connected, collection_);
  connected += R"(,"filters":)";
  protocol::append_json(connected, filters_echo);
  connected += R"(,"head_seq":)" + std::to_string(read.head_seq) + "}";
  send(std::move(connected));
  if (resume_from) return resume(*resume_from, read.floor_seq, read.head_seq);
  watcher_->go_live(read.head_seq);
}

void WatchSession::resume(std::uint64_t from, std::uint64_t floor, std::uint64_t head) {
  const char* reason = nullptr;
  if (from < floor) reason = "too_old";
  else if (from > head) reason = "ahead";
  else if (head - from > config_.ws_max_replay_events) reason = "too_many";
  if (reason) return resync(reason, from, floor, head);
  replay_ = std::make_unique<Replay>(Replay{from, from, head, {}, 0, 0});
  continue_replay();
}

void WatchSession::resync(const char* reason, std::uint64_t from, std::uint64_t floor, std::uint64_t head) {
  std::string m = R"({"event":"resync_required","collection_id":)";
  protocol::append_json_string(m, collection_);
  m += R"(,"reason":")";
  m += reason;
  m += R"(","resume_from":)" + std::to_string(from) + R"(,"floor_seq":)" + std::to_string(floor) +
       R"(,"head_seq":)" + std::to_string(head) + "}";
  send(std::move(m));
  RealtimeMetrics::add(metrics_.resyncs);
  replay_.reset();
  watcher_->go_live(head);
}

// Reads the next page of the log after the cursor. False when the log was pruned past the
// cursor while the replay ran (then a resync was sent).
bool WatchSession::next_replay_page() {
  Replay& r = *replay_;
  // A page of 0 would read nothing and end the replay early: one entry is the least.
  ChangeLogRead page = store_.read_changelog(watcher_->project, collection_, r.cursor,
                                             std::max<std::size_t>(1, config_.ws_replay_page_events),
                                             std::max<std::size_t>(1, config_.ws_replay_page_bytes));
  if (page.floor_seq > r.cursor) {
    resync("too_old", r.from, page.floor_seq, r.head);
    return false;
  }
  r.page = std::move(page.events);
  r.next = 0;
  return true;
}

void WatchSession::continue_replay() {
  if (done_ || !replay_) return;
  Replay& r = *replay_;
  while (r.cursor < r.head) {
    if (conn_.queued_bytes() > config_.ws_max_queue_bytes / 2) {
      conn_.when_drained([this] { continue_replay(); });
      return;
    }
    if (r.next == r.page.size()) {
      if (!next_replay_page()) return;
      if (r.page.empty()) break;  // nothing left to read (undecodable rows at the end)
    }
    const ChangeEvent& e = *r.page[r.next++];
    if (e.seq > r.head) break;
    r.cursor = e.seq;
    if (!watcher_->owner_allows(e.owner_id)) continue;
    FilterOutcome o = apply_filter(*watcher_->filter, e);
    if (!o.deliver) continue;
    send(event_frame(e, {o.left_filter, true}, config_.ws_document_alias));
    ++r.replayed;
    RealtimeMetrics::add(metrics_.replayed_events);
  }
  std::string m = R"({"event":"replay_done","collection_id":)";
  protocol::append_json_string(m, collection_);
  m += R"(,"head_seq":)" + std::to_string(r.head) + R"(,"replayed":)" + std::to_string(r.replayed) + "}";
  send(std::move(m));
  std::uint64_t head = r.head;
  replay_.reset();
  watcher_->go_live(head);
}

}  // namespace cocobase::server::realtime
