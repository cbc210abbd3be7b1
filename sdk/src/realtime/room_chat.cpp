// RoomChat: a WsLink on /realtime/rooms/{id} (PROTOCOL 5.4, 8c), dispatching like the JS
// RoomChat: listeners by `event` when present, otherwise by `type`.
#include "http/base_url.hpp"
#include "realtime/helper_base.hpp"
#include "realtime/messages.hpp"

#include <cocobase/protocol/json.hpp>

#include <map>
#include <vector>

namespace cocobase {
namespace detail {

class RoomImpl final : public HelperBase {
 public:
  RoomImpl(std::shared_ptr<ClientCore> core, std::string room_id, std::string user_id, std::string user_name)
      : HelperBase(std::move(core)),
        room_id_(std::move(room_id)),
        user_id_(std::move(user_id)),
        user_name_(std::move(user_name)) {}

  static std::shared_ptr<RoomImpl> make(std::shared_ptr<ClientCore> core, std::string room_id,
                                        std::string user_id, std::string user_name) {
    auto impl = std::make_shared<RoomImpl>(std::move(core), std::move(room_id), std::move(user_id),
                                           std::move(user_name));
    impl->attach("/realtime/rooms/" + encode_path_segment(impl->room_id_));
    return impl;
  }

  void add_listener(const std::string& event, std::function<void(const json::object&)> cb) {
    gate_.with_lock([&] { listeners_[event].push_back(std::move(cb)); });
  }

  // Set before start(); read on the strand afterwards.
  void open(std::string action, std::string title) {
    gate_.with_lock([&] {
      action_ = std::move(action);
      title_ = std::move(title);
    });
    start();
  }

  void send(json::value content) {
    json::object msg{{"type", "message"}, {"content", std::move(content)}};
    link_->send(protocol::to_json(msg));
  }

  const std::string room_id_;
  std::function<void(const RoomMessage&)> on_message;
  std::atomic<int> history{0};

 private:
  json::object auth_message() override {
    json::object auth = core_->auth_members();
    add_identity(auth, user_id_, user_name_);
    gate_.with_lock([&] {
      auth["action"] = action_;
      if (action_ == "create" && !title_.empty()) auth["room_title"] = title_;
    });
    // History only on the first join: a rejoin would replay messages already delivered.
    if (const int n = history.load(); n > 0 && !joined_once_) auth["history"] = n;
    return auth;
  }

  void handle(json::object&& msg) override {
    std::string name = string_member(msg, "event");
    if (name.empty()) name = string_member(msg, "type");
    if (name == "joined") {
      joined_once_ = true;
      link_->confirmed();
    }
    std::optional<RoomMessage> typed;
    if (name == "message") typed = decode_room_message(msg);
    gate_.run([&] {
      if (auto it = listeners_.find(name); it != listeners_.end())
        for (const auto& cb : std::vector(it->second)) cb(msg);
      if (typed && on_message) on_message(*typed);
    });
  }

  void emit_close(const CloseInfo& c) override {
    HelperBase::emit_close(c);
    notify("close", {{"code", c.code}, {"reason", c.reason}, {"will_reconnect", c.will_reconnect}});
  }
  void emit_reconnect(const ReconnectInfo& r) override {
    HelperBase::emit_reconnect(r);
    notify("reconnect", {{"attempt", r.attempt}, {"delay_ms", r.delay.count()}});
  }
  // Errors without a message from the server (connect failures, dead connections) reach the
  // "error" listeners too, shaped like a server error.
  void emit_error(const RealtimeError& e) override {
    HelperBase::emit_error(e);
    if (e.raw.empty()) notify("error", {{"type", "error"}, {"code", e.code}, {"error", e.message}});
  }

  void notify(const std::string& name, const json::object& payload) {
    gate_.run([&] {
      if (auto it = listeners_.find(name); it != listeners_.end())
        for (const auto& cb : std::vector(it->second)) cb(payload);
    });
  }

  const std::string user_id_, user_name_;
  std::string action_ = "join", title_;
  bool joined_once_ = false;  // strand only
  std::map<std::string, std::vector<std::function<void(const json::object&)>>> listeners_;
};

}  // namespace detail

RoomChat::RoomChat(std::shared_ptr<detail::ClientCore> core, std::string room_id, std::string user_id,
                   std::string user_name)
    : impl_(detail::RoomImpl::make(std::move(core), std::move(room_id), std::move(user_id), std::move(user_name))) {}
RoomChat::RoomChat(RoomChat&&) noexcept = default;
RoomChat& RoomChat::operator=(RoomChat&& other) noexcept {
  if (this != &other) {
    if (impl_) impl_->stop();
    impl_ = std::move(other.impl_);
  }
  return *this;
}
RoomChat::~RoomChat() {
  if (impl_) impl_->stop();
}

RoomChat& RoomChat::on(const std::string& event, std::function<void(const json::object&)> cb) {
  impl_->add_listener(event, std::move(cb));
  return *this;
}
RoomChat& RoomChat::on_message(std::function<void(const RoomMessage&)> cb) {
  impl_->set(impl_->on_message, std::move(cb));
  return *this;
}
RoomChat& RoomChat::on_error(std::function<void(const RealtimeError&)> cb) {
  impl_->set_on_error(std::move(cb));
  return *this;
}
RoomChat& RoomChat::with_history(int n) {
  impl_->history.store(n);
  return *this;
}

void RoomChat::create(const std::string& title) { impl_->open("create", title); }
void RoomChat::join() { impl_->open("join", ""); }
void RoomChat::send_message(json::value content) { impl_->send(std::move(content)); }
void RoomChat::leave() {
  if (impl_) impl_->stop();
}
bool RoomChat::is_closed() const { return !impl_ || impl_->is_closed(); }
bool RoomChat::is_joined() const { return impl_ && impl_->is_connected(); }
const std::string& RoomChat::room_id() const { return impl_->room_id_; }

}  // namespace cocobase
