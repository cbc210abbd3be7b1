#include "net/thread_outbox.hpp"

#include "realtime/send_batch.hpp"

#include <boost/asio/post.hpp>

#include <algorithm>
#include <utility>

namespace cocobase::server::net {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

namespace {
// A burst can mail millions of letters in one turn; the list's memory is not kept past it.
constexpr std::size_t kKeptLetters = 64 * 1024;
// Outboxes a sending thread keeps a letter list for between batches (one per I/O thread).
constexpr std::size_t kMaxOutboxes = 64;
}  // namespace

asio::execution_context::id ThreadOutbox::id;

// The letters one thread sends inside a SendBatch, per receiving outbox.
class ThreadOutbox::Staging final : public realtime::SendBatch::Sink {
 public:
  static Staging& of_this_thread() {
    thread_local Staging staging;
    return staging;
  }

  void keep(ThreadOutbox& outbox, Letter letter) {
    if (!registered_) realtime::SendBatch::flush_at_end(*this);
    registered_ = true;
    auto it = std::find_if(kept_.begin(), kept_.end(), [&](const auto& k) { return k.first == &outbox; });
    if (it == kept_.end()) it = kept_.insert(kept_.end(), {&outbox, {}});
    it->second.push_back(std::move(letter));
  }

  // The letter lists stay (empty, with their capacity) for the next batch: an outbox is only
  // ever looked up here by address, never dereferenced without letters.
  void flush_batch() override {
    registered_ = false;
    for (auto& [outbox, letters] : kept_)
      if (!letters.empty()) outbox->hand_over(letters);
    if (kept_.size() > kMaxOutboxes) kept_.clear();  // io_contexts come and go (tests)
  }

 private:
  std::vector<std::pair<ThreadOutbox*, std::vector<Letter>>> kept_;
  bool registered_ = false;
};

ThreadOutbox::ThreadOutbox(asio::execution_context& ctx)
    : asio::execution_context::service(ctx), io_(static_cast<asio::io_context&>(ctx)) {}

void ThreadOutbox::send(OutboxTarget& target, realtime::Frame frame) {
  if (io_.get_executor().running_in_this_thread()) {
    bool letters_waiting;
    {
      std::lock_guard lock(mutex_);
      letters_waiting = !incoming_.empty();
      post_turn_locked();
    }
    if (letters_waiting) take_letters();  // other threads' earlier frames go first
    return take(target, std::move(frame));
  }
  if (realtime::SendBatch::open()) return Staging::of_this_thread().keep(*this, Letter{target.strong(), std::move(frame)});
  std::lock_guard lock(mutex_);
  incoming_.push_back(Letter{target.strong(), std::move(frame)});
  post_turn_locked();
}

void ThreadOutbox::post_turn_locked() {
  if (posted_) return;
  posted_ = true;
  asio::post(io_, [this] { run_turn(); });
}

void ThreadOutbox::take(OutboxTarget& target, realtime::Frame frame) {
  if (target.accept(std::move(frame))) writing_.push_back(target.strong());
}

// Leaves `letters` empty; swapping keeps both lists' capacity in use.
void ThreadOutbox::hand_over(std::vector<Letter>& letters) {
  std::lock_guard lock(mutex_);
  if (incoming_.empty()) {
    incoming_.swap(letters);
  } else {
    incoming_.insert(incoming_.end(), std::make_move_iterator(letters.begin()), std::make_move_iterator(letters.end()));
    letters.clear();
  }
  post_turn_locked();
}

void ThreadOutbox::take_letters() {
  {
    std::lock_guard lock(mutex_);
    taken_.swap(incoming_);
  }
  for (auto& letter : taken_) take(*letter.target, std::move(letter.frame));
  taken_.clear();
  if (taken_.capacity() > kKeptLetters) std::vector<Letter>().swap(taken_);
}

void ThreadOutbox::run_turn() {
  take_letters();
  auto until = Clock::now() + kTurnBudget;
  while (next_ < writing_.size()) {
    std::size_t end = std::min(writing_.size(), next_ + kCheckEvery);
    for (; next_ < end; ++next_) std::exchange(writing_[next_], nullptr)->write();
    if (Clock::now() >= until) break;
  }
  if (next_ == writing_.size()) {
    writing_.clear();
    next_ = 0;
    std::lock_guard lock(mutex_);
    if (incoming_.empty()) {
      posted_ = false;
      return;
    }
  }
  asio::post(io_, [this] { run_turn(); });
}

// The io_context is being destroyed: its handlers will not run, and the connections held here
// must not outlive it.
void ThreadOutbox::shutdown() {
  std::vector<Letter> incoming;
  {
    std::lock_guard lock(mutex_);
    incoming.swap(incoming_);
  }
  taken_.clear();
  writing_.clear();
  next_ = 0;
}

}  // namespace cocobase::server::net
