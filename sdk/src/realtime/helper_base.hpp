#pragma once
// What every realtime helper shares: its link, its callback gate and the error/close/reconnect
// callbacks. Subclasses build the auth message and handle the endpoint's messages; all of that
// runs on the link's strand.
#include "client_core.hpp"
#include "realtime/callback_gate.hpp"
#include "realtime/ws_link.hpp"

#include <atomic>
#include <functional>
#include <memory>
#include <string>

namespace cocobase::detail {

class HelperBase : public std::enable_shared_from_this<HelperBase> {
 public:
  explicit HelperBase(std::shared_ptr<ClientCore> core) : core_(std::move(core)) {}
  virtual ~HelperBase() {
    if (link_) link_->close();
  }

  void set_on_error(std::function<void(const RealtimeError&)> cb) { set(on_error_, std::move(cb)); }
  void set_on_close(std::function<void(const CloseInfo&)> cb) { set(on_close_, std::move(cb)); }
  void set_on_reconnect(std::function<void(const ReconnectInfo&)> cb) { set(on_reconnect_, std::move(cb)); }

  // Connects once; later calls do nothing.
  void start() {
    if (!started_.exchange(true)) link_->start();
  }
  // No callback starts after this returns (see the threading contract in realtime.hpp).
  void stop() {
    gate_.close();
    link_->close();
  }
  bool is_closed() const { return gate_.closed() || link_->closed(); }
  bool is_connected() const { return !is_closed() && link_->confirmed_now(); }

  template <class F>
  void set(F& slot, F cb) {
    gate_.with_lock([&] { slot = std::move(cb); });
  }

 protected:
  // Creates the link; called once, right after the helper was made by make_shared. The link
  // holds the helper weakly: the helper owns the link, not the other way round.
  void attach(std::string path) {
    std::weak_ptr<HelperBase> weak = weak_from_this();
    WsLinkEvents ev;
    ev.auth_message = [weak] {
      auto s = weak.lock();
      return s ? s->auth_message() : json::object{};
    };
    ev.on_message = [weak](json::object&& m) {
      if (auto s = weak.lock()) s->handle(std::move(m));
    };
    ev.on_error = [weak](const RealtimeError& e) {
      if (auto s = weak.lock()) s->emit_error(e);
    };
    ev.on_close = [weak](const CloseInfo& c) {
      if (auto s = weak.lock()) s->emit_close(c);
    };
    ev.on_reconnect = [weak](const ReconnectInfo& r) {
      if (auto s = weak.lock()) s->emit_reconnect(r);
    };
    link_ = WsLink::create(core_, std::move(path), std::move(ev));
  }

  virtual json::object auth_message() = 0;
  virtual void handle(json::object&& msg) = 0;
  virtual void emit_error(const RealtimeError& e) {
    gate_.run([&] { if (on_error_) on_error_(e); });
  }
  virtual void emit_close(const CloseInfo& c) {
    gate_.run([&] { if (on_close_) on_close_(c); });
  }
  virtual void emit_reconnect(const ReconnectInfo& r) {
    gate_.run([&] { if (on_reconnect_) on_reconnect_(r); });
  }

  std::shared_ptr<ClientCore> core_;
  std::shared_ptr<WsLink> link_;
  CallbackGate gate_;
  std::function<void(const RealtimeError&)> on_error_;
  std::function<void(const CloseInfo&)> on_close_;
  std::function<void(const ReconnectInfo&)> on_reconnect_;

 private:
  std::atomic<bool> started_{false};
};

}  // namespace cocobase::detail
