#include "io_thread.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include <condition_variable>
#include <mutex>
#include <optional>

namespace cocobase::detail {

namespace asio = boost::asio;

struct IoThread::State {
  asio::io_context io;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work{io.get_executor()};
  std::mutex mutex;
  std::condition_variable cv;
  bool finished = false;
};

IoThread::IoThread(std::chrono::milliseconds grace) : state_(std::make_shared<State>()), grace_(grace) {
  // The thread owns a reference to the state: when it is detached (see the destructor) the
  // io_context lives until run() returns.
  thread_ = std::thread([state = state_] {
    state->io.run();
    std::lock_guard lock(state->mutex);
    state->finished = true;
    state->cv.notify_all();
  });
  thread_id_ = thread_.get_id();
}

IoThread::~IoThread() {
  // Pending work (closing handshakes) may finish; run() returns when there is none left.
  state_->work.reset();
  if (running_in_this_thread()) {
    thread_.detach();
    return;
  }
  {
    std::unique_lock lock(state_->mutex);
    if (!state_->cv.wait_for(lock, grace_, [&] { return state_->finished; })) state_->io.stop();
  }
  thread_.join();
}

asio::any_io_executor IoThread::executor() const { return state_->io.get_executor(); }

}  // namespace cocobase::detail
