#pragma once
// The Client's one background I/O thread, running an io_context for the realtime helpers.
//
// Destruction: lets outstanding work (closing handshakes) finish for up to a grace period,
// then stops. Destroyed on its own thread (the last handle released inside a callback), it
// detaches instead of joining; the io_context lives as long as the thread.
#include <boost/asio/any_io_executor.hpp>

#include <chrono>
#include <memory>
#include <thread>

namespace boost::asio { class io_context; }

namespace cocobase::detail {

class IoThread {
 public:
  explicit IoThread(std::chrono::milliseconds grace = std::chrono::milliseconds(2000));
  ~IoThread();
  IoThread(const IoThread&) = delete;
  IoThread& operator=(const IoThread&) = delete;

  boost::asio::any_io_executor executor() const;
  bool running_in_this_thread() const { return std::this_thread::get_id() == thread_id_; }

 private:
  struct State;
  std::shared_ptr<State> state_;
  std::thread thread_;
  std::thread::id thread_id_;
  std::chrono::milliseconds grace_;
};

}  // namespace cocobase::detail
