// `cocobase rooms`: the room list of the project (PROTOCOL 6.1), as JSON.
#include "client_options.hpp"
#include "commands.hpp"

namespace cocobase::cli {
namespace {

// The SDK decodes the list into RoomSummary; this writes it back in the shape of 6.1.
json::value rooms_json(const std::vector<RoomSummary>& rooms) {
  json::array list;
  for (const auto& r : rooms) {
    json::array participants;
    for (const auto& p : r.participant_list) participants.push_back(json::object{{"id", p.id}, {"name", p.name}});
    list.push_back(json::object{{"id", r.id},
                                {"title", r.title},
                                {"created_by", r.created_by},
                                {"participants", r.participants},
                                {"participant_list", std::move(participants)},
                                {"created_at", r.created_at}});
  }
  const auto total = static_cast<std::int64_t>(list.size());
  return json::object{{"rooms", std::move(list)}, {"total", total}};
}

}  // namespace

void add_rooms_command(CLI::App& app) {
  auto o = std::make_shared<ClientOptions>();
  auto* cmd = app.add_subcommand("rooms", "List the project's chat rooms as JSON");
  cmd->footer("Prints {\"rooms\":[{\"id\",\"title\",\"created_by\",\"participants\",\"participant_list\","
              "\"created_at\"}],\"total\":N}. API errors go to stderr as {\"status\",\"code\",\"detail\"}; exit 1.");
  add_client_options(cmd, *o, false);
  cmd->callback([o] {
    auto client = make_client(*o);
    run_rest([&] { print_json(rooms_json(client->list_rooms())); });
  });
}

}  // namespace cocobase::cli
