#pragma once
// A minimal closed-loop HTTP/1.1 load generator: N keep-alive connections on one epoll thread,
// each sending the same request again as soon as the previous answer is complete. Hand-written
// so the client costs as little CPU as possible (the server gets the other core).
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace cocobase::bench {

struct LoadResult {
  std::uint64_t completed = 0;
  std::uint64_t unexpected_status = 0;
  double seconds = 0;
  std::vector<double> latencies_us;  // one per completed request
};

// Runs for `duration` against host:port; `expected_status` counts as success.
LoadResult run_closed_loop(const std::string& host, int port, const std::string& request, int connections,
                           std::chrono::milliseconds duration, int expected_status);

// A blocking TCP connection to host:port with TCP_NODELAY; throws on failure.
int connect_to(const std::string& host, int port);

// Sends `request` on an open keep-alive connection and reads the whole answer (blocking).
// Returns its status, 0 when the connection failed.
int http_exchange(int fd, const std::string& request);

// One blocking GET; returns the body ("" on failure).
std::string http_get(const std::string& host, int port, const std::string& path);

double percentile(std::vector<double> v, double p);

}  // namespace cocobase::bench
