// `cocobase broadcast`: the project broadcast channel (PROTOCOL 5.3) on stdin/stdout.
#include "client_options.hpp"
#include "commands.hpp"

#include <cocobase/protocol/json.hpp>

namespace cocobase::cli {
namespace {

struct BroadcastArgs {
  ClientOptions client;
  std::string user, name;
  bool no_stdin = false;
};

void broadcast(const BroadcastArgs& a) {
  Session session;  // before the Client: its threads must inherit the blocked signals
  EchoTracker echoes;  // outlives the channel, whose callbacks use it
  auto client = make_client(a.client);
  auto channel = client->realtime().broadcast(a.user, a.name);
  // The server's name for us (it assigns anon-... when --user is absent, a new one per
  // connection); only the SDK's I/O thread touches it.
  auto own_id = std::make_shared<std::string>();
  const bool verbose = a.client.verbose;

  channel.on_connected([own_id, &echoes, verbose](const json::object& m) {
    echoes.confirmed();
    if (const auto* id = m.if_contains("user_id"); id && id->is_string()) *own_id = id->get_string();
    if (verbose) print_err("cocobase: connected " + protocol::to_json(m));
  });
  channel.on_message([own_id, &echoes, &session](const BroadcastMessage& m) {
    if (!print_json(m.raw)) session.finish(0);
    if (m.user_id == *own_id) echoes.echoed();
  });
  channel.on_error([&session](const RealtimeError& e) {
    print_err(protocol::to_json(realtime_error_json(e)));
    if (e.terminal) session.finish(1);
  });
  channel.connect();

  echoes.relay_stdin(session, a.no_stdin, [&](json::value v) { channel.send(std::move(v)); });
  channel.disconnect();
  if (session.code() != 0) throw CLI::RuntimeError(session.code());
}

}  // namespace

void add_broadcast_command(CLI::App& app) {
  auto a = std::make_shared<BroadcastArgs>();
  auto* cmd = app.add_subcommand("broadcast", "Send stdin lines to the project broadcast channel, print what it carries");
  cmd->footer(
      "Each non-empty stdin line is sent as the message data: the JSON value when the line is\n"
      "JSON, otherwise the line as a string. Every broadcast message received (the sender's own\n"
      "included) is printed on stdout as the server's JSON object, one per line.\n"
      "At the end of stdin it waits for the connection and for the server to echo what was\n"
      "sent (giving up after 5 s without progress), then exits 0, or 1 if it never connected or\n"
      "a message was not echoed. With --no-stdin it only listens, until SIGINT/SIGTERM (exit 0).\n"
      "Errors go to stderr as JSON; a terminal one (bad API key) exits 1.");
  cmd->add_option("--user", a->user, "user_id to send as (default: assigned by the server)");
  cmd->add_option("--name", a->name, "user_name to send as (default: the user id)");
  cmd->add_flag("--no-stdin", a->no_stdin, "Do not read stdin; listen until a signal");
  add_client_options(cmd, a->client);
  cmd->callback([a] { broadcast(*a); });
}

}  // namespace cocobase::cli
