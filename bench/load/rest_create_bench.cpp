// REST create throughput and latency against a running server, at several connection counts,
// beside raw SQLite inserting the same rows with the server's measured group-commit batch size.
//
//   rest_create_bench --port 8080 --api-key cb_... [--connections 1,16,64] [--seconds 5] [--runs 5]
//
// Run the server and this program on different cores (bench/run_rest_create.sh does).
#include "http_load_client.hpp"
#include "sqlite_baseline.hpp"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <cstdio>
#include <map>

using namespace cocobase::bench;

namespace {

std::uint64_t metric(const std::string& text, const std::string& name) {
  auto pos = text.find("\n" + name + " ");
  return pos == std::string::npos ? 0 : std::stoull(text.substr(pos + name.size() + 2));
}

double median(std::vector<double> v) { return percentile(std::move(v), 50); }

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"REST create benchmark"};
  std::string host = "127.0.0.1", api_key, baseline_db = "/tmp/cocobase-bench-baseline.db";
  int port = 8080, seconds = 5, runs = 5;
  std::vector<int> levels{1, 16, 64};
  app.add_option("--host", host);
  app.add_option("--port", port);
  app.add_option("--api-key", api_key)->required();
  app.add_option("--connections", levels)->delimiter(',');
  app.add_option("--seconds", seconds);
  app.add_option("--runs", runs);
  app.add_option("--baseline-db", baseline_db, "Where raw SQLite writes (same disk as the server's data)");
  CLI11_PARSE(app, argc, argv);

  const std::string body = R"({"data":{"name":"user-123","age":30,"active":true}})";
  const std::string request = "POST /collections/documents?collection=bench HTTP/1.1\r\nHost: bench\r\nx-api-key: " +
                              api_key + "\r\nContent-Type: application/json\r\nContent-Length: " +
                              std::to_string(body.size()) + "\r\n\r\n" + body;

  std::printf("%-6s %-4s %12s %10s %10s %10s %14s %8s\n", "conns", "run", "creates/s", "p50_us", "p99_us",
              "batch", "sqlite_rows/s", "ratio");
  std::map<int, std::vector<double>> rate, p50, p99, ratio, batch;
  for (int run = 1; run <= runs; ++run) {
    for (int c : levels) {
      std::string before = http_get(host, port, "/metrics");
      auto r = run_closed_loop(host, port, request, c, std::chrono::seconds(seconds), 201);
      std::string after = http_get(host, port, "/metrics");
      double commits = double(metric(after, "cocobase_store_commits_total") - metric(before, "cocobase_store_commits_total"));
      double writes = double(metric(after, "cocobase_store_writes_total") - metric(before, "cocobase_store_writes_total"));
      double avg_batch = commits > 0 ? writes / commits : 1;
      double creates = double(r.completed) / r.seconds;
      double raw = sqlite_baseline_rows_per_sec(baseline_db, r.completed, std::max<std::uint64_t>(1, std::uint64_t(avg_batch + 0.5)));
      if (r.unexpected_status) std::fprintf(stderr, "warning: %llu responses were not 201\n", (unsigned long long)r.unexpected_status);
      std::printf("%-6d %-4d %12.0f %10.0f %10.0f %10.1f %14.0f %8.2f\n", c, run, creates, percentile(r.latencies_us, 50),
                  percentile(r.latencies_us, 99), avg_batch, raw, creates / raw);
      std::fflush(stdout);
      rate[c].push_back(creates);
      p50[c].push_back(percentile(r.latencies_us, 50));
      p99[c].push_back(percentile(r.latencies_us, 99));
      ratio[c].push_back(creates / raw);
      batch[c].push_back(avg_batch);
    }
  }
  std::printf("\nmedians of %d runs\n%-6s %12s %10s %10s %10s %8s\n", runs, "conns", "creates/s", "p50_us", "p99_us",
              "batch", "ratio");
  for (int c : levels)
    std::printf("%-6d %12.0f %10.0f %10.0f %10.1f %8.2f\n", c, median(rate[c]), median(p50[c]), median(p99[c]),
                median(batch[c]), median(ratio[c]));
  return 0;
}
