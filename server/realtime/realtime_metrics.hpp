#pragma once
// Realtime counters for GET /metrics (PROTOCOL 8g). Relaxed atomics: they are statistics, read
// without ordering against anything else.
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string>

namespace cocobase::server::realtime {

struct RealtimeMetrics {
  std::atomic<std::uint64_t> watch_sessions{0};
  std::atomic<std::uint64_t> broadcast_sessions{0};
  std::atomic<std::uint64_t> room_sessions{0};
  std::atomic<std::uint64_t> watch_deliveries{0};   // live event frames queued to watchers
  std::atomic<std::uint64_t> replayed_events{0};    // event frames sent by resumes (8a)
  std::atomic<std::uint64_t> resyncs{0};            // resync_required sent
  std::atomic<std::uint64_t> slow_consumer_closes{0};

  static void add(std::atomic<std::uint64_t>& c, std::uint64_t n = 1) {
    c.fetch_add(n, std::memory_order_relaxed);
  }
};

// Prometheus text for the counters and the open-connection gauge.
std::string metrics_text(const RealtimeMetrics& m, std::size_t open_connections);

}  // namespace cocobase::server::realtime
