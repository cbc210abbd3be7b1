#include "net/memory_trim.hpp"

#include <boost/asio/steady_timer.hpp>

#include <atomic>
#include <memory>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace cocobase::server::net {
namespace {

using Clock = std::chrono::steady_clock;

std::atomic<Clock::rep> last_trim{0};
std::atomic<bool> trim_scheduled{false};

bool trim_unless_recent() {
  auto now = Clock::now().time_since_epoch().count();
  auto interval = std::chrono::duration_cast<Clock::duration>(kMinTrimInterval).count();
  auto prev = last_trim.load(std::memory_order_relaxed);
  if (prev != 0 && now - prev < interval) return false;
  if (!last_trim.compare_exchange_strong(prev, now, std::memory_order_relaxed)) return true;  // another thread trims
#if defined(__GLIBC__)
  malloc_trim(0);
#endif
  return true;
}

}  // namespace

void release_freed_memory(const boost::asio::any_io_executor& ex) {
  if (trim_unless_recent() || trim_scheduled.exchange(true)) return;
  auto timer = std::make_shared<boost::asio::steady_timer>(ex, kMinTrimInterval);
  timer->async_wait([timer](boost::system::error_code ec) {
    trim_scheduled.store(false);
    if (!ec) trim_unless_recent();
  });
}

}  // namespace cocobase::server::net
