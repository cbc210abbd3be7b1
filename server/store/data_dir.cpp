#include "store/data_dir.hpp"

#include <cocobase/protocol/ids.hpp>

#include <spdlog/spdlog.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>

namespace cocobase::server {
namespace {

namespace fs = std::filesystem;

constexpr const char* kDatabaseFile = "cocobase.db";
constexpr const char* kSecretFile = "jwt_secret";
constexpr const char* kSecretSetting = "jwt_secret";
constexpr mode_t kDirMode = 0700, kFileMode = 0600;

std::string octal(mode_t m) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%04o", static_cast<unsigned>(m & 07777));
  return buf;
}

// chmod to `wanted` when the current mode grants more; appends "path 0644->0600" to `changed`.
// Symlinks are left alone: chmod would follow them out of the dir.
void tighten(const fs::path& p, mode_t wanted, std::string& changed) {
  struct stat st {};
  if (::lstat(p.c_str(), &st) != 0 || S_ISLNK(st.st_mode)) return;
  mode_t current = st.st_mode & 07777;
  if ((current & ~wanted) == 0) return;
  mode_t next = current & wanted;
  if (::chmod(p.c_str(), next) != 0) {
    spdlog::error("data dir: cannot chmod {}: {}", p.string(), std::strerror(errno));
    return;
  }
  if (!changed.empty()) changed += ", ";
  changed += p.filename().string() + " " + octal(current) + "->" + octal(next);
}

void tighten_tree(const fs::path& dir) {
  std::string changed;
  tighten(dir, kDirMode, changed);
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.is_symlink()) continue;
    tighten(entry.path(), entry.is_directory() ? kDirMode : kFileMode, changed);
  }
  if (!changed.empty())
    spdlog::warn("data dir {}: other local accounts could read it; modes tightened: {}", dir.string(), changed);
}

std::string hex_secret() {
  unsigned char bytes[32];
  protocol::random_bytes(bytes, sizeof bytes);
  static constexpr char hex[] = "0123456789abcdef";
  std::string s;
  for (unsigned char b : bytes) {
    s.push_back(hex[b >> 4]);
    s.push_back(hex[b & 15]);
  }
  return s;
}

[[noreturn]] void io_error(const std::string& what, const fs::path& p) {
  throw DataDirError(what + " " + p.string() + ": " + std::strerror(errno));
}

// Written to a temporary file, synced, then renamed: a crash leaves the old state or the new
// file whole, never a truncated secret (which would invalidate every token).
void write_private_file(const fs::path& p, const std::string& content) {
  fs::path tmp = p;
  tmp += ".tmp";
  ::unlink(tmp.c_str());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, kFileMode);
  if (fd < 0) io_error("cannot create", tmp);
  std::string line = content + "\n";
  bool ok = ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size()) && ::fsync(fd) == 0;
  ::close(fd);
  if (!ok) io_error("cannot write", tmp);
  if (::rename(tmp.c_str(), p.c_str()) != 0) io_error("cannot rename to", p);
  int dfd = ::open(p.parent_path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
}

std::string read_secret_file(const fs::path& p) {
  std::ifstream in(p);
  if (!in) io_error("cannot read", p);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string s = ss.str();
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  if (s.empty())
    throw DataDirError(p.string() + " is empty: restore it from a backup, or remove it to generate a new secret"
                       " (every issued user token then stops working)");
  return s;
}

}  // namespace

std::string prepare_data_dir(const std::string& dir) {
  ::umask(077);
  fs::path d(dir);
  fs::path db = d / kDatabaseFile;
  if (!fs::exists(d)) {
    fs::create_directories(d);  // 0700 under the umask above
    return db.string();
  }
  if (!fs::is_directory(d)) throw DataDirError("data dir " + dir + " is not a directory");
  if (fs::exists(db)) {
    if (fs::is_regular_file(db) && fs::file_size(db) == 0)
      throw DataDirError("database " + db.string() + " is empty (0 bytes): the store was truncated. Restore it from a"
                         " backup; refusing to start a fresh store in its place");
  } else if (!fs::is_empty(d)) {
    throw DataDirError("data dir " + dir + " has files but no database " + kDatabaseFile +
                       ": the store was moved or deleted. Restore it, or point --data at an empty or new"
                       " directory; refusing to start a fresh store in its place");
  }
  tighten_tree(d);
  return db.string();
}

std::string load_jwt_secret(const std::string& dir, Store& store, bool create_if_missing) {
  fs::path file = fs::path(dir) / kSecretFile;
  std::optional<std::string> old = store.get_setting(kSecretSetting);
  if (fs::exists(file)) {
    std::string s = read_secret_file(file);
    if (old) store.delete_setting(kSecretSetting);  // a move interrupted after the file was written
    return s;
  }
  if (!old && !create_if_missing) return {};
  std::string s = old ? *old : hex_secret();
  write_private_file(file, s);
  if (old) {
    store.delete_setting(kSecretSetting);
    spdlog::info("JWT secret moved from the database to {} (mode 0600)", file.string());
  }
  return s;
}

}  // namespace cocobase::server
