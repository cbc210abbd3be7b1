#include "client_options.hpp"

#include <cocobase/protocol/json.hpp>

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <iostream>
#include <mutex>

namespace cocobase::cli {
namespace {

std::mutex& output_mutex() {
  static std::mutex m;
  return m;
}

}  // namespace

void add_client_options(CLI::App* cmd, ClientOptions& o, bool streaming) {
  cmd->add_option("--url", o.url, "Server base URL")->envname("COCOBASE_URL")->capture_default_str();
  cmd->add_option("--api-key", o.api_key, "Project API key")->envname("COCOBASE_API_KEY");
  cmd->add_option("--token", o.token, "App-user JWT (REST and realtime sockets)")->envname("COCOBASE_TOKEN");
  if (streaming) cmd->add_flag("-v,--verbose", o.verbose, "Also report connection changes");
}

std::unique_ptr<Client> make_client(const ClientOptions& o) {
  ClientConfig c;
  c.base_url = o.url;
  c.api_key = o.api_key;
  if (!o.token.empty()) {
    c.token = o.token;
    c.use_jwt = true;  // a token given on the command line is meant for the sockets too
  }
  try {
    return std::make_unique<Client>(std::move(c));
  } catch (const std::exception& e) {  // a malformed --url
    print_err(std::string("cocobase: ") + e.what());
    throw CLI::RuntimeError(1);
  }
}

bool print_json(const json::value& v) {
  std::string line = protocol::to_json(v);
  line.push_back('\n');
  std::lock_guard lock(output_mutex());
  std::cout << line << std::flush;
  return static_cast<bool>(std::cout);
}

void print_err(const std::string& line) {
  std::lock_guard lock(output_mutex());
  std::cerr << line << '\n' << std::flush;
}

json::object realtime_error_json(const RealtimeError& e) {
  json::object o;
  if (!e.raw.empty()) {
    try {
      if (auto v = protocol::parse_json(e.raw); v.is_object()) o = std::move(v.as_object());
    } catch (const protocol::JsonParseError&) {
      o["raw"] = e.raw;
    }
  }
  if (!o.contains("type")) o["type"] = "error";
  if (!o.contains("code")) o["code"] = e.code;
  if (!o.contains("error")) o["error"] = e.message;
  if (e.close_code) o["close_code"] = e.close_code;
  o["terminal"] = e.terminal;
  return o;
}

void run_rest(const std::function<void()>& call) {
  try {
    call();
  } catch (const ApiError& e) {
    std::string err = protocol::to_json(json::object{{"status", e.status()}, {"code", e.code()}, {"detail", e.detail()}});
    print_err(err);
    throw CLI::RuntimeError(1);
  } catch (const Error& e) {  // transport failures, undecodable answers
    print_err(std::string("cocobase: ") + e.what());
    throw CLI::RuntimeError(1);
  }
}

std::vector<std::pair<std::string, std::string>> parse_pairs(const std::vector<std::string>& pairs,
                                                             const char* option) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& p : pairs) {
    const auto eq = p.find('=');
    if (eq == std::string::npos || eq == 0) {
      print_err(std::string("cocobase: ") + option + " expects key=value, got '" + p + "'");
      throw CLI::RuntimeError(1);
    }
    out.emplace_back(p.substr(0, eq), p.substr(eq + 1));
  }
  return out;
}

json::value line_value(const std::string& line) {
  try {
    return protocol::parse_json(line);
  } catch (const protocol::JsonParseError&) {
    return json::value(line);
  }
}

// --- Session

Session::Session() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  std::signal(SIGPIPE, SIG_IGN);  // a closed stdout shows up as a failed write instead
  signal_fd_ = signalfd(-1, &set, SFD_CLOEXEC);
  wake_fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (signal_fd_ < 0 || wake_fd_ < 0) {
    print_err(std::string("cocobase: cannot set up signal handling: ") + std::strerror(errno));
    throw CLI::RuntimeError(1);
  }
}

Session::~Session() {
  if (signal_fd_ >= 0) close(signal_fd_);
  if (wake_fd_ >= 0) close(wake_fd_);
}

void Session::finish(int code) {
  int expected = -1;
  if (code_.compare_exchange_strong(expected, code)) {
    const std::uint64_t one = 1;
    [[maybe_unused]] auto n = write(wake_fd_, &one, sizeof one);
  }
}

Session::Wake Session::wait(const std::function<void(const std::string&)>& on_line,
                            std::chrono::milliseconds timeout) {
  using Clock = std::chrono::steady_clock;
  const bool forever = timeout == std::chrono::milliseconds::max();
  const auto deadline = forever ? Clock::time_point::max() : Clock::now() + timeout;
  const bool reading = on_line && !stdin_done_;
  while (!stopping()) {
    int ms = -1;
    if (!forever) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
      if (left.count() <= 0) return Wake::timeout;
      ms = static_cast<int>(std::min<std::int64_t>(left.count(), 1 << 30));
    }
    pollfd fds[3] = {{signal_fd_, POLLIN, 0}, {wake_fd_, POLLIN, 0}, {STDIN_FILENO, POLLIN, 0}};
    const int n = poll(fds, reading ? 3 : 2, ms);
    if (n < 0 && errno != EINTR) {
      print_err(std::string("cocobase: poll: ") + std::strerror(errno));
      finish(1);
      break;
    }
    if (n <= 0) continue;
    if (fds[0].revents & POLLIN) {
      signalfd_siginfo info;
      [[maybe_unused]] auto r = read(signal_fd_, &info, sizeof info);
      finish(0);  // SIGINT/SIGTERM: a normal end
      break;
    }
    if (reading && (fds[2].revents & (POLLIN | POLLHUP | POLLERR | POLLNVAL))) {
      if (!read_stdin(on_line)) return stopping() ? Wake::stop : Wake::eof;
    }
  }
  return Wake::stop;
}

// Reads what stdin has and hands over complete lines; false at EOF (after the last,
// possibly unterminated, line).
bool Session::read_stdin(const std::function<void(const std::string&)>& on_line) {
  char buf[65536];
  const ssize_t n = read(STDIN_FILENO, buf, sizeof buf);
  if (n < 0 && (errno == EINTR || errno == EAGAIN)) return true;
  if (n <= 0) {
    stdin_done_ = true;
    if (!partial_.empty()) on_line(std::exchange(partial_, {}));
    return false;
  }
  partial_.append(buf, static_cast<std::size_t>(n));
  std::size_t start = 0;
  for (std::size_t nl; !stopping() && (nl = partial_.find('\n', start)) != std::string::npos; start = nl + 1) {
    std::string line = partial_.substr(start, nl - start);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    on_line(line);
  }
  partial_.erase(0, start);
  return true;
}

// --- EchoTracker

void EchoTracker::send(Session& s, const std::function<void()>& do_send) {
  constexpr std::int64_t kMaxOutstanding = 500;  // the SDK queues at most 1000 by default
  while (!s.stopping() && outstanding() >= kMaxOutstanding) s.wait(std::chrono::milliseconds(50));
  if (s.stopping()) return;
  try {
    do_send();
    ++sent_;
  } catch (const Error& e) {
    print_err(std::string("cocobase: not sent: ") + e.what());
  }
}

void EchoTracker::relay_stdin(Session& s, bool no_stdin, const std::function<void(json::value)>& send_value) {
  if (no_stdin) {
    s.wait(nullptr);
    return;
  }
  auto on_line = [&](const std::string& line) {
    if (line.empty()) return;  // blank lines are not messages
    send(s, [&] { send_value(line_value(line)); });
  };
  if (s.wait(on_line) == Session::Wake::eof) drain(s);
}

void EchoTracker::drain(Session& s, std::chrono::milliseconds idle) {
  using Clock = std::chrono::steady_clock;
  auto last = outstanding();
  bool was_confirmed = confirmed_;
  auto since = Clock::now();
  while (!s.stopping() && (!confirmed_ || outstanding() > 0)) {
    s.wait(std::chrono::milliseconds(50));
    const auto now = outstanding();
    if (now < last || confirmed_ != was_confirmed) {
      last = now;
      was_confirmed = confirmed_;
      since = Clock::now();
    } else if (Clock::now() - since > idle) {
      break;
    }
  }
  if (s.stopping()) return;
  if (const auto left = outstanding(); left > 0) {
    print_err("cocobase: " + std::to_string(left) + " sent message(s) not seen echoed by the server");
    s.finish(1);
  } else if (!confirmed_) {
    print_err("cocobase: never connected");
    s.finish(1);
  } else {
    s.finish(0);
  }
}

}  // namespace cocobase::cli
