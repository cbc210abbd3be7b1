#pragma once
#include <cstdint>
#include <string>

namespace cocobase::bench {

// Inserts `rows` documents the way the server's writer does (document row, change-log row,
// head update; WAL, synchronous=FULL) in transactions of `batch` rows, into a fresh database
// at `path`. Returns rows per second.
double sqlite_baseline_rows_per_sec(const std::string& path, std::uint64_t rows, std::uint64_t batch);

}  // namespace cocobase::bench
