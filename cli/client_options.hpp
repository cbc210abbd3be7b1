#pragma once
// What the client verbs (watch, broadcast, room, rooms, docs) share: the connection options,
// JSON output on stdout, error reports on stderr, and the wait loop of the long-running verbs.
// Everything goes through libcocobase; the CLI never speaks HTTP itself.
#include <cocobase/client.hpp>

#include <CLI/CLI.hpp>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace cocobase::cli {

struct ClientOptions {
  std::string url = "http://localhost:8080";  // PROTOCOL 9.1: the CLI's default
  std::string api_key;
  std::string token;  // app-user JWT; also used on realtime sockets (8d)
  bool verbose = false;
};

// --url, --api-key, --token (and their COCOBASE_* environment variables); --verbose for the
// streaming verbs.
void add_client_options(CLI::App* cmd, ClientOptions& o, bool streaming = true);
std::unique_ptr<Client> make_client(const ClientOptions& o);

// One JSON value on one stdout line, flushed (consumers read the stream line by line).
// Thread-safe: realtime callbacks print from the SDK's I/O thread. False once stdout is gone
// (the reader closed the pipe): the streaming verbs then stop.
bool print_json(const json::value& v);
// One line on stderr.
void print_err(const std::string& line);

// A realtime error as one JSON object: the server's error message when there was one, plus
// close_code and terminal.
json::object realtime_error_json(const RealtimeError& e);

// Runs a REST call; an ApiError is printed to stderr as {"status","code","detail"} and a
// transport failure as text, and both end the verb with exit status 1.
void run_rest(const std::function<void()>& call);

// "key=value" pairs of --filter, in order; a pair without '=' ends the verb with status 1.
std::vector<std::pair<std::string, std::string>> parse_pairs(const std::vector<std::string>& pairs,
                                                             const char* option);

// A stdin line as data to send: the JSON value when the line is JSON, otherwise the string.
json::value line_value(const std::string& line);

// The life of a long-running verb. Construct it before the Client: it blocks SIGINT and SIGTERM
// in the calling thread so that the SDK's threads inherit the mask and only wait() sees them.
class Session {
 public:
  Session();
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // Ends the session with this exit code; any thread (a terminal error arrives on the SDK's
  // I/O thread). The first code wins; a signal counts as 0.
  void finish(int code);
  bool stopping() const { return code_.load() >= 0; }
  int code() const { return code_.load() < 0 ? 0 : code_.load(); }

  enum class Wake { stop, eof, timeout };
  // Waits for a stop (signal or finish), for the timeout, and, when on_line is given, hands
  // over every complete stdin line and returns eof at the end of stdin (once; later waits do
  // not read stdin).
  Wake wait(const std::function<void(const std::string&)>& on_line,
            std::chrono::milliseconds timeout = std::chrono::milliseconds::max());
  Wake wait(std::chrono::milliseconds timeout) { return wait(nullptr, timeout); }

 private:
  bool read_stdin(const std::function<void(const std::string&)>& on_line);

  int signal_fd_ = -1;
  int wake_fd_ = -1;
  std::atomic<int> code_{-1};
  std::string partial_;
  bool stdin_done_ = false;
};

// Sends stdin lines over a realtime helper and, at EOF, waits until the server echoed them
// back (broadcast and room messages reach the sender too, 5.3/5.4): the echo is the only
// evidence that a queued message left. Counts echoes of our own user id.
class EchoTracker {
 public:
  void confirmed() { confirmed_ = true; }  // connected / joined arrived
  void echoed() { ++echoed_; }
  std::int64_t outstanding() const { return sent_.load() - echoed_.load(); }
  // Sends one message with do_send, first waiting while many earlier ones are unechoed (the
  // SDK's outgoing queue is bounded). A message the SDK refuses (over the size limit) is
  // reported on stderr and skipped.
  void send(Session& s, const std::function<void()>& do_send);
  // At EOF: waits for the confirmation (so that an immediate EOF still reports a terminal
  // error such as ROOM_NOT_FOUND) and for the echoes. Gives up after `idle` without progress
  // (server gone) and then ends the session with 1 if it never connected or sent messages
  // were not seen echoed, else 0.
  void drain(Session& s, std::chrono::milliseconds idle = std::chrono::milliseconds(5000));
  // The stdin side of broadcast and room: each non-empty line goes out as its JSON value (or
  // as a string) through `send`, then drain() at EOF. With no_stdin, only waits for a signal.
  void relay_stdin(Session& s, bool no_stdin, const std::function<void(json::value)>& send);

 private:
  std::atomic<bool> confirmed_{false};
  std::atomic<std::int64_t> sent_{0}, echoed_{0};
};

}  // namespace cocobase::cli
