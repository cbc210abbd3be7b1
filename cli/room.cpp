// `cocobase room <id>`: a chat room (PROTOCOL 5.4, 8c) on stdin/stdout.
#include "client_options.hpp"
#include "commands.hpp"

#include <cocobase/protocol/json.hpp>

namespace cocobase::cli {
namespace {

struct RoomArgs {
  ClientOptions client;
  std::string room_id, create_title, user, name;
  bool create = false;
  int history = 0;
  bool no_stdin = false;
};

bool is_replay(const json::object& m) {
  const auto* r = m.if_contains("replay");
  return r && r->is_bool() && r->get_bool();
}

void room(const RoomArgs& a) {
  Session session;  // before the Client: its threads must inherit the blocked signals
  EchoTracker echoes;  // outlives the room, whose callbacks use it
  auto client = make_client(a.client);
  auto chat = client->realtime().room(a.room_id, a.user, a.name);
  // Our participant id as the server tells it in `joined` (assigned when --user is absent);
  // only the SDK's I/O thread touches it.
  auto own_id = std::make_shared<std::string>();

  auto print = [&session](const json::object& m) {
    if (!print_json(m)) session.finish(0);
  };
  chat.on("joined", [own_id, &echoes, print](const json::object& m) {
    echoes.confirmed();
    if (const auto* id = m.if_contains("user_id"); id && id->is_string()) *own_id = id->get_string();
    print(m);
  });
  chat.on("user_joined", print);
  chat.on("user_left", print);
  chat.on("message", [own_id, &echoes, print](const json::object& m) {
    print(m);
    const auto* uid = m.if_contains("user_id");
    // History replays are old messages, not echoes of ours.
    if (!is_replay(m) && uid && uid->is_string() && uid->get_string() == *own_id) echoes.echoed();
  });
  chat.on_error([&session](const RealtimeError& e) {
    print_err(protocol::to_json(realtime_error_json(e)));
    if (e.terminal) session.finish(1);  // ROOM_NOT_FOUND, bad key, ...
  });
  if (a.client.verbose) {
    chat.on("close", [](const json::object& m) { print_err("cocobase: closed " + protocol::to_json(m)); });
  }
  if (a.history > 0) chat.with_history(a.history);
  if (a.create) chat.create(a.create_title);
  else chat.join();

  echoes.relay_stdin(session, a.no_stdin, [&](json::value v) { chat.send_message(std::move(v)); });
  chat.leave();
  if (session.code() != 0) throw CLI::RuntimeError(session.code());
}

}  // namespace

void add_room_command(CLI::App& app) {
  auto a = std::make_shared<RoomArgs>();
  auto* cmd = app.add_subcommand("room", "Join (or create) a chat room: stdin lines out, room traffic in");
  cmd->footer(
      "Prints the server's joined, user_joined, user_left and message objects on stdout, one\n"
      "JSON object per line (history replays carry \"replay\":true). Each non-empty stdin line\n"
      "is sent as the message content: the JSON value when the line is JSON, otherwise the\n"
      "string. At the end of stdin it waits for the join and for the server to echo what was\n"
      "sent (giving up after 5 s without progress), then leaves and exits 0, or 1 if it never\n"
      "joined or a message was not echoed. With --no-stdin it stays until SIGINT/SIGTERM\n"
      "(exit 0). Errors go to stderr as JSON; a terminal one (ROOM_NOT_FOUND, bad key) exits 1.");
  cmd->add_option("room_id", a->room_id, "Room id")->required();
  auto* create = cmd->add_option("--create", a->create_title, "Create the room with this title if it does not exist");
  cmd->add_option("--history", a->history, "Replay the last N messages of the room first")->check(CLI::NonNegativeNumber);
  cmd->add_option("--user", a->user, "user_id to join as (default: assigned by the server)");
  cmd->add_option("--name", a->name, "user_name to join as (default: the user id)");
  cmd->add_flag("--no-stdin", a->no_stdin, "Do not read stdin; stay until a signal");
  add_client_options(cmd, a->client);
  cmd->callback([a, create] {
    a->create = create->count() > 0;
    room(*a);
  });
}

}  // namespace cocobase::cli
