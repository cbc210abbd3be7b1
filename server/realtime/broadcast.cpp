#include "realtime/broadcast.hpp"

#include "realtime/send_batch.hpp"

#include <cocobase/protocol/time.hpp>

namespace cocobase::server::realtime {

namespace json = protocol::json;

void BroadcastRegistry::join(const std::string& project, const Connection* key, std::weak_ptr<Connection> conn) {
  std::lock_guard lock(mutex_);
  auto& channel = channels_[project];
  if (!channel) channel = std::make_shared<Channel>();
  std::lock_guard channel_lock(channel->mutex);
  channel->members.add(key, std::move(conn));
}

void BroadcastRegistry::leave(const std::string& project, const Connection* key) {
  std::lock_guard lock(mutex_);
  auto it = channels_.find(project);
  if (it == channels_.end()) return;
  std::shared_ptr<Channel> channel = it->second;  // keeps the mutex alive past the erase below
  std::lock_guard channel_lock(channel->mutex);
  channel->members.remove(key);
  if (channel->members.empty()) channels_.erase(it);
}

void BroadcastRegistry::publish(const std::string& project, const Frame& frame) {
  std::shared_ptr<Channel> channel;
  {
    std::lock_guard lock(mutex_);
    auto it = channels_.find(project);
    if (it == channels_.end()) return;
    channel = it->second;
  }
  std::lock_guard channel_lock(channel->mutex);
  // Handed over before the lock is released: every member then sees the channel's messages
  // in the order the lock gave them, whichever threads publish (BC-05).
  SendBatch batch;
  channel->members.for_each([&](Connection& c) { c.send(frame); });
}

void BroadcastSession::on_authenticated(AuthMessage& auth) {
  project_ = auth.project;
  identity_ = identity_of(auth);
  // Registered before `connected` is queued; broadcasts are not replayed, so a message
  // published in between simply arrives after `connected`.
  std::string connected = R"({"event":"connected","project_id":)";
  protocol::append_json_string(connected, project_);
  connected += R"(,"user_id":)";
  protocol::append_json_string(connected, identity_.user_id);
  connected += R"(,"user_name":)";
  protocol::append_json_string(connected, identity_.user_name);
  connected += '}';
  send(std::move(connected));
  registry_.join(project_, &conn_, weak_);
  joined_ = true;
}

bool BroadcastSession::on_client_message(std::string_view type, json::object& msg) {
  if (type != "message") return false;
  std::string out = R"({"type":"message","user_id":)";
  protocol::append_json_string(out, identity_.user_id);
  out += R"(,"user_name":)";
  protocol::append_json_string(out, identity_.user_name);
  out += R"(,"timestamp":)";
  protocol::append_json_string(out, protocol::now_timestamp());
  out += R"(,"data":)";
  auto it = msg.find("data");
  protocol::append_json(out, it == msg.end() ? json::value(nullptr) : it->value());
  out += '}';
  registry_.publish(project_, make_frame(std::move(out)));
  return true;
}

void BroadcastSession::on_closed() {
  done_ = true;
  if (joined_) registry_.leave(project_, &conn_);
  joined_ = false;
}

}  // namespace cocobase::server::realtime
