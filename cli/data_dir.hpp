#pragma once
#include <filesystem>
#include <string>

namespace cocobase::cli {

// The SQLite file inside a data dir, creating the directory when asked.
inline std::string database_path(const std::string& data_dir, bool create) {
  if (create) std::filesystem::create_directories(data_dir);
  return (std::filesystem::path(data_dir) / "cocobase.db").string();
}

}  // namespace cocobase::cli
