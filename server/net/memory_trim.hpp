#pragma once
// Gives freed heap memory back to the system after a large queue is gone.
//
// A WebSocket queue that grew to megabytes of small frames (a reader that stopped reading) is
// freed frame by frame; glibc keeps the freed chunks in its arenas, so the process stayed at its
// peak when the load stopped: 170 MB after ten paused watchers had drained or been closed
// (measured; 15 MB without them). malloc_trim returns the free pages. It walks every arena, so
// it runs at most once per kMinTrimInterval; a request inside the interval is served by one
// trim at its end.
#include <boost/asio/any_io_executor.hpp>

#include <chrono>
#include <cstddef>

namespace cocobase::server::net {

// A queue at least this large counts as large when it empties.
inline constexpr std::size_t kTrimAfterQueueBytes = 1024 * 1024;
inline constexpr std::chrono::seconds kMinTrimInterval{1};

// Thread-safe. Trims now, or schedules one trim on `ex` for when the interval is over.
void release_freed_memory(const boost::asio::any_io_executor& ex);

}  // namespace cocobase::server::net
