#include <cocobase/live_collection.hpp>

#include <algorithm>
#include <condition_variable>
#include <map>
#include <mutex>

namespace cocobase {

struct LiveCollection::State {
  mutable std::mutex mutex;
  mutable std::condition_variable changed;
  std::map<std::string, Document, std::less<>> docs;
  std::optional<std::int64_t> seq;
  bool ended = false;
  std::function<void(const LiveChange&)> on_change;  // I/O thread only, after start()

  // Applies one event under the lock; returns what changed, if anything.
  std::optional<LiveChange> apply(const WatchEvent& ev) {
    std::lock_guard lock(mutex);
    switch (ev.type) {
      case WatchEventType::resync:
        docs.clear();
        for (const auto& d : ev.snapshot) docs.insert_or_assign(d.id, d);
        seq = ev.seq;
        return LiveChange{LiveChange::Kind::reset, {}, ev.seq, false};
      case WatchEventType::create:
      case WatchEventType::update:
        if (!seq) return std::nullopt;  // the snapshot is not there yet (cannot happen: buffered)
        seq = ev.seq;
        if (ev.left_filter) {
          docs.erase(ev.document.id);
          return LiveChange{LiveChange::Kind::remove, ev.document, ev.seq, true};
        }
        docs.insert_or_assign(ev.document.id, ev.document);
        return LiveChange{LiveChange::Kind::upsert, ev.document, ev.seq, false};
      case WatchEventType::delete_:
        if (!seq) return std::nullopt;
        seq = ev.seq;
        docs.erase(ev.document.id);
        return LiveChange{LiveChange::Kind::remove, ev.document, ev.seq, false};
      case WatchEventType::replay_done:
        // A filtered view has processed everything up to head_seq even if nothing passed.
        if (seq) seq = std::max(*seq, ev.seq);
        return std::nullopt;
      case WatchEventType::connected:
        return std::nullopt;
    }
    return std::nullopt;
  }
};

LiveCollection::LiveCollection(Client& client, std::string collection, json::object filters)
    : state_(std::make_shared<State>()),
      watcher_(client.core(), std::move(collection), WatchOptions{std::move(filters), std::nullopt, true}) {
  std::weak_ptr<State> weak = state_;
  watcher_.on_event([weak](const WatchEvent& ev) {
    auto state = weak.lock();
    if (!state) return;
    auto change = state->apply(ev);
    state->changed.notify_all();
    if (change && state->on_change) state->on_change(*change);
  });
  watcher_.on_close([weak](const CloseInfo& c) {
    auto state = weak.lock();
    if (!state || c.will_reconnect) return;
    std::lock_guard lock(state->mutex);
    state->ended = true;
    state->changed.notify_all();
  });
}

LiveCollection::~LiveCollection() { close(); }

LiveCollection& LiveCollection::on_change(std::function<void(const LiveChange&)> cb) {
  // Set before start(), so the I/O thread never reads it while it changes.
  state_->on_change = std::move(cb);
  return *this;
}

LiveCollection& LiveCollection::on_error(std::function<void(const RealtimeError&)> cb) {
  watcher_.on_error(std::move(cb));
  return *this;
}

void LiveCollection::start() { watcher_.connect(); }

void LiveCollection::close() {
  watcher_.disconnect();
  std::lock_guard lock(state_->mutex);
  state_->ended = true;
  state_->changed.notify_all();
}

std::vector<Document> LiveCollection::documents() const {
  std::vector<Document> out;
  {
    std::lock_guard lock(state_->mutex);
    out.reserve(state_->docs.size());
    for (const auto& [id, d] : state_->docs) out.push_back(d);
  }
  std::sort(out.begin(), out.end(), [](const Document& a, const Document& b) {
    return std::tie(a.created_at, a.id) < std::tie(b.created_at, b.id);
  });
  return out;
}

std::optional<Document> LiveCollection::get(std::string_view id) const {
  std::lock_guard lock(state_->mutex);
  auto it = state_->docs.find(id);
  if (it == state_->docs.end()) return std::nullopt;
  return it->second;
}

std::size_t LiveCollection::size() const {
  std::lock_guard lock(state_->mutex);
  return state_->docs.size();
}

std::optional<std::int64_t> LiveCollection::seq() const {
  std::lock_guard lock(state_->mutex);
  return state_->seq;
}

bool LiveCollection::wait_for_seq(std::int64_t seq, std::chrono::milliseconds timeout) const {
  std::unique_lock lock(state_->mutex);
  return state_->changed.wait_for(lock, timeout, [&] {
    return (state_->seq && *state_->seq >= seq) || state_->ended;
  }) && state_->seq && *state_->seq >= seq;
}

}  // namespace cocobase
