// ProjectBroadcast: a WsLink on /realtime/broadcast (PROTOCOL 5.3).
#include "realtime/helper_base.hpp"
#include "realtime/messages.hpp"

#include <cocobase/protocol/json.hpp>

namespace cocobase {
namespace detail {

class BroadcastImpl final : public HelperBase {
 public:
  BroadcastImpl(std::shared_ptr<ClientCore> core, std::string user_id, std::string user_name)
      : HelperBase(std::move(core)), user_id_(std::move(user_id)), user_name_(std::move(user_name)) {}

  static std::shared_ptr<BroadcastImpl> make(std::shared_ptr<ClientCore> core, std::string user_id,
                                             std::string user_name) {
    auto impl = std::make_shared<BroadcastImpl>(std::move(core), std::move(user_id), std::move(user_name));
    impl->attach("/realtime/broadcast");
    return impl;
  }

  void send(json::value data) {
    json::object msg{{"type", "message"}, {"data", std::move(data)}};
    link_->send(protocol::to_json(msg));
  }

  std::function<void(const json::object&)> on_connected;
  std::function<void(const BroadcastMessage&)> on_message;

 private:
  json::object auth_message() override {
    json::object auth = core_->auth_members();
    add_identity(auth, user_id_, user_name_);
    return auth;
  }

  void handle(json::object&& msg) override {
    if (string_member(msg, "event") == "connected") {
      link_->confirmed();
      return gate_.run([&] { if (on_connected) on_connected(msg); });
    }
    // Like the JS helper: only type "message" reaches message listeners (5.1.8).
    if (string_member(msg, "type") != "message") return;
    const BroadcastMessage m = decode_broadcast_message(std::move(msg));
    gate_.run([&] { if (on_message) on_message(m); });
  }

  std::string user_id_, user_name_;
};

}  // namespace detail

ProjectBroadcast::ProjectBroadcast(std::shared_ptr<detail::ClientCore> core, std::string user_id,
                                   std::string user_name)
    : impl_(detail::BroadcastImpl::make(std::move(core), std::move(user_id), std::move(user_name))) {}
ProjectBroadcast::ProjectBroadcast(ProjectBroadcast&&) noexcept = default;
ProjectBroadcast& ProjectBroadcast::operator=(ProjectBroadcast&& other) noexcept {
  if (this != &other) {
    if (impl_) impl_->stop();
    impl_ = std::move(other.impl_);
  }
  return *this;
}
ProjectBroadcast::~ProjectBroadcast() {
  if (impl_) impl_->stop();
}

ProjectBroadcast& ProjectBroadcast::on_connected(std::function<void(const json::object&)> cb) {
  impl_->set(impl_->on_connected, std::move(cb));
  return *this;
}
ProjectBroadcast& ProjectBroadcast::on_message(std::function<void(const BroadcastMessage&)> cb) {
  impl_->set(impl_->on_message, std::move(cb));
  return *this;
}
ProjectBroadcast& ProjectBroadcast::on_error(std::function<void(const RealtimeError&)> cb) {
  impl_->set_on_error(std::move(cb));
  return *this;
}
ProjectBroadcast& ProjectBroadcast::on_close(std::function<void(const CloseInfo&)> cb) {
  impl_->set_on_close(std::move(cb));
  return *this;
}
ProjectBroadcast& ProjectBroadcast::on_reconnect(std::function<void(const ReconnectInfo&)> cb) {
  impl_->set_on_reconnect(std::move(cb));
  return *this;
}

void ProjectBroadcast::connect() { impl_->start(); }
void ProjectBroadcast::send(json::value data) { impl_->send(std::move(data)); }
void ProjectBroadcast::disconnect() {
  if (impl_) impl_->stop();
}
bool ProjectBroadcast::is_closed() const { return !impl_ || impl_->is_closed(); }
bool ProjectBroadcast::is_connected() const { return impl_ && impl_->is_connected(); }

}  // namespace cocobase
