// CollectionWatcher: a WsLink on /realtime/collections/{name} plus the WatchState that makes
// delivery exactly-once and in order across reconnects.
#include "http/base_url.hpp"
#include "realtime/helper_base.hpp"
#include "realtime/messages.hpp"
#include "realtime/watch_state.hpp"
#include "rest/snapshot.hpp"

#include <boost/asio/post.hpp>

namespace cocobase {
namespace detail {

class WatcherImpl final : public HelperBase {
 public:
  static std::shared_ptr<WatcherImpl> make(std::shared_ptr<ClientCore> core, std::string collection,
                                           WatchOptions options) {
    auto impl = std::make_shared<WatcherImpl>(std::move(core), std::move(collection), std::move(options));
    impl->attach("/realtime/collections/" + encode_path_segment(impl->collection_));
    return impl;
  }

  WatcherImpl(std::shared_ptr<ClientCore> core, std::string collection, WatchOptions options)
      : HelperBase(std::move(core)),
        collection_(std::move(collection)),
        filters_(std::move(options.filters)),
        state_(options.resume_from, options.snapshot_on_start) {
    if (options.resume_from) last_seq_.store(*options.resume_from);
  }

  std::function<void(const WatchEvent&)> on_connected, on_create, on_update, on_delete, on_event;
  std::function<void(const Snapshot&)> on_resync;
  const std::string collection_;

  std::optional<std::int64_t> last_seq() const {
    const auto v = last_seq_.load();
    return v < 0 ? std::nullopt : std::optional(v);
  }

 private:
  json::object auth_message() override {
    json::object auth = core_->auth_members();
    if (!filters_.empty()) auth["filters"] = filters_;
    if (auto resume = state_.resume_point()) auth["resume_from"] = *resume;
    return auth;
  }

  void handle(json::object&& msg) override {
    WatchMessage m;
    try {
      m = decode_watch_message(std::move(msg), collection_);
    } catch (const std::exception& e) {
      return emit_error({"PROTOCOL_ERROR", e.what(), 0, false, ""});
    }
    switch (m.kind) {
      case WatchMessageKind::connected:
        link_->confirmed();
        return apply(state_.on_connected(std::move(m.event)));
      case WatchMessageKind::change: return apply(state_.on_change(std::move(m.event)));
      case WatchMessageKind::replay_done: return apply(state_.on_replay_done(std::move(m.event)));
      case WatchMessageKind::resync_required: return apply(state_.on_resync_required());
      case WatchMessageKind::other: return;
    }
  }

  void apply(WatchState::Output out) {
    if (auto seq = state_.last_seq()) last_seq_.store(*seq);
    for (auto& ev : out.deliver) {
      ev.collection = collection_;
      deliver(ev);
    }
    if (out.fetch_snapshot) fetch_snapshot();
  }

  void deliver(const WatchEvent& ev) {
    gate_.run([&] {
      switch (ev.type) {
        case WatchEventType::connected: if (on_connected) on_connected(ev); break;
        case WatchEventType::create: if (on_create) on_create(ev); break;
        case WatchEventType::update: if (on_update) on_update(ev); break;
        case WatchEventType::delete_: if (on_delete) on_delete(ev); break;
        case WatchEventType::resync:
          if (on_resync) on_resync(Snapshot{ev.snapshot, ev.seq});
          break;
        case WatchEventType::replay_done: break;
      }
      if (on_event) on_event(ev);
    });
  }

  // The REST read blocks, so it runs on the client's blocking thread; its result comes back to
  // the strand. A failed read is reported and retried after a delay.
  void fetch_snapshot() {
    std::weak_ptr<WatcherImpl> weak = std::static_pointer_cast<WatcherImpl>(shared_from_this());
    boost::asio::post(core_->blocking().executor(), [weak, core = core_, collection = collection_, filters = filters_] {
      std::optional<Snapshot> snap;
      std::string failure;
      try {
        snap = read_snapshot(*core, collection, filters);
      } catch (const std::exception& e) {
        failure = e.what();
      } catch (...) {
        failure = "undecodable list response";
      }
      auto self = weak.lock();
      if (!self) return;
      self->link_->post([self, snap = std::move(snap), failure]() mutable {
        if (snap) return self->apply(self->state_.on_snapshot(std::move(*snap)));
        self->state_.on_snapshot_failed();
        self->emit_error({"RESYNC_FAILED", failure, 0, false, ""});
        self->link_->post_after(std::chrono::seconds(1), [self] { self->apply(self->state_.retry_snapshot()); });
      });
    });
  }

  json::object filters_;
  WatchState state_;  // strand only
  std::atomic<std::int64_t> last_seq_{-1};
};

}  // namespace detail

CollectionWatcher::CollectionWatcher(std::shared_ptr<detail::ClientCore> core, std::string collection,
                                     WatchOptions options)
    : impl_(detail::WatcherImpl::make(std::move(core), std::move(collection), std::move(options))) {}
CollectionWatcher::CollectionWatcher(CollectionWatcher&&) noexcept = default;
CollectionWatcher& CollectionWatcher::operator=(CollectionWatcher&& other) noexcept {
  if (this != &other) {
    if (impl_) impl_->stop();
    impl_ = std::move(other.impl_);
  }
  return *this;
}
CollectionWatcher::~CollectionWatcher() {
  if (impl_) impl_->stop();
}

CollectionWatcher& CollectionWatcher::on_connected(std::function<void(const WatchEvent&)> cb) {
  impl_->set(impl_->on_connected, std::move(cb));
  return *this;
}
CollectionWatcher& CollectionWatcher::on_create(std::function<void(const WatchEvent&)> cb) {
  impl_->set(impl_->on_create, std::move(cb));
  return *this;
}
CollectionWatcher& CollectionWatcher::on_update(std::function<void(const WatchEvent&)> cb) {
  impl_->set(impl_->on_update, std::move(cb));
  return *this;
}
CollectionWatcher& CollectionWatcher::on_delete(std::function<void(const WatchEvent&)> cb) {
  impl_->set(impl_->on_delete, std::move(cb));
  return *this;
}
CollectionWatcher& CollectionWatcher::on_event(std::function<void(const WatchEvent&)> cb) {
  impl_->set(impl_->on_event, std::move(cb));
  return *this;
}
CollectionWatcher& CollectionWatcher::on_resync(std::function<void(const Snapshot&)> cb) {
  impl_->set(impl_->on_resync, std::move(cb));
  return *this;
}
CollectionWatcher& CollectionWatcher::on_error(std::function<void(const RealtimeError&)> cb) {
  impl_->set_on_error(std::move(cb));
  return *this;
}
CollectionWatcher& CollectionWatcher::on_close(std::function<void(const CloseInfo&)> cb) {
  impl_->set_on_close(std::move(cb));
  return *this;
}
CollectionWatcher& CollectionWatcher::on_reconnect(std::function<void(const ReconnectInfo&)> cb) {
  impl_->set_on_reconnect(std::move(cb));
  return *this;
}

void CollectionWatcher::connect() { impl_->start(); }
void CollectionWatcher::disconnect() {
  if (impl_) impl_->stop();
}
bool CollectionWatcher::is_closed() const { return !impl_ || impl_->is_closed(); }
bool CollectionWatcher::is_connected() const { return impl_ && impl_->is_connected(); }
std::optional<std::int64_t> CollectionWatcher::last_seq() const { return impl_->last_seq(); }
const std::string& CollectionWatcher::collection() const { return impl_->collection_; }

}  // namespace cocobase
