#include "realtime/realtime_metrics.hpp"

namespace cocobase::server::realtime {
namespace {

void sample(std::string& out, const char* name, const char* type, const char* help, std::uint64_t v) {
  out += "# HELP ";
  out += name;
  out += ' ';
  out += help;
  out += "\n# TYPE ";
  out += name;
  out += ' ';
  out += type;
  out += '\n';
  out += name;
  out += ' ';
  out += std::to_string(v);
  out += '\n';
}

}  // namespace

std::string metrics_text(const RealtimeMetrics& m, std::size_t open_connections) {
  std::string out;
  auto counter = [&](const char* name, const char* help, const std::atomic<std::uint64_t>& c) {
    sample(out, name, "counter", help, c.load(std::memory_order_relaxed));
  };
  sample(out, "cocobase_ws_connections", "gauge", "Open WebSocket connections.", open_connections);
  counter("cocobase_ws_watch_sessions_total", "Collection watch connections opened.", m.watch_sessions);
  counter("cocobase_ws_broadcast_sessions_total", "Broadcast connections opened.", m.broadcast_sessions);
  counter("cocobase_ws_room_sessions_total", "Room connections opened.", m.room_sessions);
  counter("cocobase_ws_watch_deliveries_total", "Live change events queued to watchers.", m.watch_deliveries);
  counter("cocobase_ws_replayed_events_total", "Change events replayed to resuming watchers.", m.replayed_events);
  counter("cocobase_ws_resyncs_total", "resync_required messages sent.", m.resyncs);
  counter("cocobase_ws_slow_consumer_closes_total", "Connections closed 4509 (outbound queue over its bound).",
          m.slow_consumer_closes);
  return out;
}

}  // namespace cocobase::server::realtime
