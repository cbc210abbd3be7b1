#pragma once
// Test support: run the real `cocobase` binary (C++ counterpart of
// tests/integration/lib/server.mjs).
//
//   ServerProcess server;                       // `cocobase serve` on 127.0.0.1:<free port>
//   Client c({.base_url = server.url(), .api_key = server.api_key()});
//   server.restart();                            // same port, same data dir
//   auto r = run_cli({"project", "list", "--data", dir});   // {exit_code, out, err}
//
// The binary is $COCOBASE_BIN, else the COCOBASE_SERVER_BIN macro the test target defines.
// Header-only (there is no testing library target). POSIX only.
#include "testing/temp_dir.hpp"

#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <fcntl.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <sys/prctl.h>
#include <unistd.h>

namespace cocobase::testing {

inline std::string server_binary() {
  if (const char* env = std::getenv("COCOBASE_BIN"); env && *env) return env;
#ifdef COCOBASE_SERVER_BIN
  return COCOBASE_SERVER_BIN;
#else
  throw std::runtime_error("set COCOBASE_BIN to the cocobase binary");
#endif
}

// Collects everything a child writes to one pipe, on a thread of its own, so that the child
// never blocks on a full pipe.
class PipeDrain {
 public:
  explicit PipeDrain(int fd) : fd_(fd), thread_([this] { drain(); }) {}
  ~PipeDrain() {
    if (thread_.joinable()) thread_.join();
    ::close(fd_);
  }
  PipeDrain(const PipeDrain&) = delete;
  PipeDrain& operator=(const PipeDrain&) = delete;

  std::string text() const {
    std::lock_guard lock(mutex_);
    return text_;
  }
  bool at_eof() const {
    std::lock_guard lock(mutex_);
    return eof_;
  }
  // Waits until pred(text, eof) holds or the deadline passes; returns the last pred result.
  template <typename Pred>
  bool wait_until(std::chrono::steady_clock::time_point deadline, Pred pred) const {
    std::unique_lock lock(mutex_);
    return changed_.wait_until(lock, deadline, [&] { return pred(text_, eof_); });
  }
  // Blocks until the writer side is closed everywhere (the child exited).
  void join() {
    if (thread_.joinable()) thread_.join();
  }

 private:
  // Output beyond this is dropped from the front: tests only look at the start and the tail.
  static constexpr std::size_t kMaxKept = 8 << 20;

  void drain() {
    char chunk[4096];
    for (;;) {
      ssize_t n = ::read(fd_, chunk, sizeof chunk);
      if (n < 0 && errno == EINTR) continue;
      std::lock_guard lock(mutex_);
      if (n <= 0) {
        eof_ = true;
        changed_.notify_all();
        return;
      }
      text_.append(chunk, static_cast<std::size_t>(n));
      if (text_.size() > kMaxKept) text_.erase(0, text_.size() - kMaxKept / 2);
      changed_.notify_all();
    }
  }

  int fd_;
  mutable std::mutex mutex_;
  mutable std::condition_variable changed_;
  std::string text_;
  bool eof_ = false;
  std::thread thread_;
};

// One child process running `binary args...` with stdout and stderr captured.
class ChildProcess {
 public:
  ChildProcess(const std::string& binary, const std::vector<std::string>& args) {
    // Everything the child needs is prepared before fork: between fork and exec only
    // async-signal-safe calls are allowed (other threads may hold the allocator's locks).
    std::vector<std::string> argv_storage{binary};
    argv_storage.insert(argv_storage.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : argv_storage) argv.push_back(a.data());
    argv.push_back(nullptr);
    int out[2], err[2];
    if (::pipe2(out, O_CLOEXEC) != 0) throw std::runtime_error("pipe2 failed");
    if (::pipe2(err, O_CLOEXEC) != 0) {
      ::close(out[0]);
      ::close(out[1]);
      throw std::runtime_error("pipe2 failed");
    }
    const pid_t parent = ::getpid();
    pid_ = ::fork();
    if (pid_ < 0) throw std::runtime_error("fork failed");
    if (pid_ == 0) exec_child(binary.c_str(), argv.data(), out[1], err[1], parent);
    ::close(out[1]);
    ::close(err[1]);
    stdout_ = std::make_unique<PipeDrain>(out[0]);
    stderr_ = std::make_unique<PipeDrain>(err[0]);
  }
  ~ChildProcess() { kill(); }
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }
  const PipeDrain& out() const { return *stdout_; }
  const PipeDrain& err() const { return *stderr_; }
  bool exited() const {
    poll_exit();
    return status_.has_value();
  }
  // The exit code, or -signal when a signal ended it; nullopt while it runs.
  std::optional<int> exit_code() const {
    poll_exit();
    if (!status_) return std::nullopt;
    return WIFEXITED(*status_) ? WEXITSTATUS(*status_) : -WTERMSIG(*status_);
  }
  void signal(int sig) {
    if (!exited()) ::kill(pid_, sig);
  }
  // Waits for the exit up to `timeout`; true when it exited.
  bool wait_for(std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!exited()) {
      if (std::chrono::steady_clock::now() >= deadline) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    finish_output();
    return true;
  }
  void kill() {
    if (!exited()) {
      ::kill(pid_, SIGKILL);
      int status = 0;
      while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
      }
      status_ = status;
    }
    finish_output();
  }

 private:
  // A test process that aborts (a sanitizer report, a crash) never runs ~ChildProcess: the
  // kernel kills the child when the thread that forked it ends. Tests fork from their main
  // thread, which lives as long as the test process.
  [[noreturn]] static void exec_child(const char* binary, char* const* argv, int out, int err,
                                      pid_t parent) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);  // the parent died before prctl
    int devnull = ::open("/dev/null", O_RDONLY);
    if (devnull >= 0) ::dup2(devnull, 0);
    ::dup2(out, 1);
    ::dup2(err, 2);
    ::execv(binary, argv);
    static constexpr char msg[] = "exec of the cocobase binary failed\n";
    ssize_t ignored = ::write(2, msg, sizeof msg - 1);
    (void)ignored;
    ::_exit(127);
  }

  void poll_exit() const {
    if (status_) return;
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) status_ = status;
  }

  void finish_output() {
    if (stdout_) stdout_->join();
    if (stderr_) stderr_->join();
  }

  pid_t pid_ = -1;
  mutable std::optional<int> status_;  // waitpid status once reaped
  std::unique_ptr<PipeDrain> stdout_, stderr_;
};

struct CliResult {
  int exit_code = 0;  // -signal when a signal ended it (for example after the timeout)
  std::string out, err;
};

// Runs the binary with `args` to completion (killed after `timeout`).
inline CliResult run_cli(const std::vector<std::string>& args,
                         std::chrono::milliseconds timeout = std::chrono::seconds(20)) {
  ChildProcess child(server_binary(), args);
  if (!child.wait_for(timeout)) child.kill();
  return {child.exit_code().value_or(-SIGKILL), child.out().text(), child.err().text()};
}

struct ServerOptions {
  std::vector<std::string> args;               // extra `serve` flags
  std::optional<std::filesystem::path> data_dir;  // default: a fresh TempDir
  std::uint16_t port = 0;                      // 0: a free port picked by the kernel
  std::chrono::milliseconds start_timeout = std::chrono::seconds(20);
};

// `cocobase serve` on 127.0.0.1. Started by the constructor, which returns once the server
// printed its `Listening on` line; throws with the captured output when it did not in time.
class ServerProcess {
 public:
  ServerProcess() : ServerProcess(ServerOptions{}) {}
  explicit ServerProcess(ServerOptions options) : options_(std::move(options)) {
    if (options_.data_dir) {
      data_dir_ = *options_.data_dir;
    } else {
      owned_dir_ = std::make_unique<TempDir>();
      data_dir_ = owned_dir_->path();
    }
    port_ = options_.port;
    start();
  }
  ~ServerProcess() { kill(); }
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  const std::string& url() const { return url_; }  // http://127.0.0.1:PORT
  std::uint16_t port() const { return port_; }
  // The `default` project's key, printed at the first start on a data dir (empty when the
  // dir had been initialised before this object started it).
  const std::string& api_key() const { return api_key_; }
  const std::filesystem::path& data_dir() const { return data_dir_; }
  pid_t pid() const { return child_ ? child_->pid() : -1; }
  bool running() const { return child_ && !child_->exited(); }
  std::string stdout_text() const { return child_ ? child_->out().text() : std::string(); }
  std::string stderr_text() const { return child_ ? child_->err().text() : std::string(); }

  // SIGTERM, then SIGKILL after 10 s. Returns the exit code (-signal if killed), or nullopt
  // when it was not running.
  std::optional<int> stop() {
    if (!child_ || child_->exited()) return child_ ? child_->exit_code() : std::nullopt;
    child_->signal(SIGTERM);
    if (!child_->wait_for(std::chrono::seconds(10))) child_->kill();
    return child_->exit_code();
  }
  void kill() {
    if (child_) child_->kill();
  }
  // Stops the server and starts it again on the same port and data dir.
  void restart() {
    stop();
    start();
  }

 private:
  static constexpr std::string_view kListening = "Listening on ";
  static constexpr std::string_view kKeyLine = "Project 'default' API key: ";

  // The port of a fixed-port restart can still be held for a moment (a socket in TIME_WAIT of
  // a killed process, or the kernel not done with the old listener): retry for a while.
  void start() {
    auto give_up = std::chrono::steady_clock::now() + options_.start_timeout;
    for (;;) {
      std::string failure = start_once();
      if (failure.empty()) return;
      bool retry = port_ != 0 && std::chrono::steady_clock::now() < give_up &&
                   child_->exited();
      if (!retry) throw std::runtime_error(failure);
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
  }

  // Starts the binary and waits for its `Listening on` line. Returns "" on success, else a
  // description with the captured output (the child is then killed).
  std::string start_once() {
    std::vector<std::string> args{"serve", "--listen", "127.0.0.1:" + std::to_string(port_),
                                  "--data", data_dir_.string()};
    args.insert(args.end(), options_.args.begin(), options_.args.end());
    child_.reset();
    child_ = std::make_unique<ChildProcess>(server_binary(), args);
    auto deadline = std::chrono::steady_clock::now() + options_.start_timeout;
    bool listening = child_->out().wait_until(deadline, [](const std::string& text, bool eof) {
      return eof || line_after(text, kListening).has_value();
    });
    std::string out = child_->out().text();
    auto url = line_after(out, kListening);
    if (!listening || !url) {
      child_->kill();
      return std::string(listening ? "cocobase serve exited before listening"
                                   : "cocobase serve did not print 'Listening on' in time") +
             "\nstdout:\n" + child_->out().text() + "\nstderr:\n" + child_->err().text();
    }
    url_ = *url;
    while (!url_.empty() && url_.back() == '/') url_.pop_back();
    port_ = static_cast<std::uint16_t>(std::stoi(url_.substr(url_.rfind(':') + 1)));
    if (auto key = line_after(out, kKeyLine)) api_key_ = *key;
    return {};
  }

  // The rest of the first complete line that starts with `prefix`.
  static std::optional<std::string> line_after(const std::string& text, std::string_view prefix) {
    for (std::size_t pos = 0; pos < text.size();) {
      auto end = text.find('\n', pos);
      if (end == std::string::npos) return std::nullopt;  // an incomplete line: wait for more
      std::string_view line(text.data() + pos, end - pos);
      if (line.starts_with(prefix)) {
        line.remove_prefix(prefix.size());
        while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.remove_suffix(1);
        return std::string(line);
      }
      pos = end + 1;
    }
    return std::nullopt;
  }

  ServerOptions options_;
  std::unique_ptr<TempDir> owned_dir_;
  std::filesystem::path data_dir_;
  std::uint16_t port_ = 0;
  std::string url_, api_key_;
  std::unique_ptr<ChildProcess> child_;
};

}  // namespace cocobase::testing
