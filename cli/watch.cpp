// `cocobase watch <collection>`: a collection watch (PROTOCOL 5.2) as a stream of JSON lines.
// The SDK's CollectionWatcher does the work: reconnects, resumes from the last seq across
// server restarts (8a) and re-reads the collection when the server cannot replay (9.2).
#include "client_options.hpp"
#include "commands.hpp"

#include <cocobase/protocol/json.hpp>

#include <optional>

namespace cocobase::cli {
namespace {

struct WatchArgs {
  ClientOptions client;
  std::string collection;
  std::vector<std::string> filters;
  std::int64_t resume_from = -1;
};

// What one event prints; nothing for connected/replay_done unless verbose.
std::optional<json::value> event_line(const WatchEvent& ev, bool verbose) {
  switch (ev.type) {
    case WatchEventType::create:
    case WatchEventType::update:
    case WatchEventType::delete_:
      return json::value(ev.raw);
    case WatchEventType::resync: {
      json::array docs;
      for (const auto& d : ev.snapshot) docs.push_back(document_to_json(d));
      return json::value(json::object{{"event", "resync"}, {"seq", ev.seq}, {"documents", std::move(docs)}});
    }
    case WatchEventType::connected:
    case WatchEventType::replay_done:
      if (verbose) return json::value(ev.raw);
      return std::nullopt;
  }
  return std::nullopt;
}

void watch(const WatchArgs& a) {
  Session session;  // before the Client: its threads must inherit the blocked signals
  auto client = make_client(a.client);
  WatchOptions options;
  for (auto& [key, value] : parse_pairs(a.filters, "--filter")) options.filters[key] = value;
  if (a.resume_from >= 0) options.resume_from = a.resume_from;

  auto watcher = client->realtime().collection(a.collection, std::move(options));
  const bool verbose = a.client.verbose;
  watcher.on_event([verbose, &session](const WatchEvent& ev) {
    if (auto line = event_line(ev, verbose); line && !print_json(*line)) session.finish(0);
  });
  watcher.on_error([&session](const RealtimeError& e) {
    print_err(protocol::to_json(realtime_error_json(e)));
    if (e.terminal) session.finish(1);  // bad key, bad filter, ...: reconnecting cannot help
  });
  if (verbose) {
    watcher.on_close([](const CloseInfo& c) {
      print_err("cocobase: closed " + std::to_string(c.code) + (c.will_reconnect ? ", reconnecting" : ""));
    });
  }
  watcher.connect();
  session.wait(nullptr);
  watcher.disconnect();
  if (session.code() != 0) throw CLI::RuntimeError(session.code());
}

}  // namespace

void add_watch_command(CLI::App& app) {
  auto a = std::make_shared<WatchArgs>();
  auto* cmd = app.add_subcommand("watch", "Watch a collection: one JSON event per line on stdout");
  cmd->footer(
      "Output (stdout, one JSON object per line, flushed):\n"
      "  create/update/delete: the server's event object, with its seq (PROTOCOL 5.2).\n"
      "  after a resync_required: {\"event\":\"resync\",\"seq\":S,\"documents\":[...]}, the\n"
      "    collection as re-read over REST at seq S; the events that follow have seq > S.\n"
      "  with --verbose also the server's connected and replay_done messages.\n"
      "Reconnects and resumes by itself (across server restarts too); every event is printed\n"
      "once, in seq order. Errors go to stderr as JSON. Runs until SIGINT/SIGTERM (exit 0);\n"
      "a terminal error (bad API key, bad filter) exits 1.");
  cmd->add_option("collection", a->collection, "Collection name")->required();
  cmd->add_option("--filter", a->filters, "Filter condition key=value (repeatable; PROTOCOL 4)")
      ->expected(1)
      ->allow_extra_args(false)  // `--filter a=1 users`: users is the collection
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  cmd->add_option("--resume-from", a->resume_from,
                  "Start as if every event up to this seq was seen: replays later ones (8a)")
      ->check(CLI::NonNegativeNumber);
  add_client_options(cmd, a->client);
  cmd->callback([a] { watch(*a); });
}

}  // namespace cocobase::cli
