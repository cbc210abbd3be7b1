// A chat room: create or join it, see who comes and goes, send the lines typed. `/rooms`
// lists the project's rooms.
//
//   room_chat --url http://127.0.0.1:8080 --api-key cb_... --room lobby --name Ada [--create "The lobby"]
#include "example_args.hpp"

#include <cocobase/client.hpp>

#include <iostream>
#include <string>

namespace json = cocobase::json;

namespace {

// False when the REST call failed (server down, bad key, ...).
bool print_rooms(cocobase::Client& client) {
  try {
    std::cout << "rooms:" << std::endl;
    for (const auto& room : client.list_rooms()) {
      std::cout << "  " << room.id << " \"" << room.title << "\", " << room.participants
                << " inside" << std::endl;
    }
    return true;
  } catch (const cocobase::Error& e) {
    std::cerr << "cannot list rooms: " << e.what() << std::endl;
    return false;
  }
}

std::string member(const json::object& message, const char* key) {
  const auto* value = message.if_contains(key);
  return value && value->is_string() ? std::string(value->get_string()) : std::string();
}

}  // namespace

int main(int argc, char** argv) {
  const example::Args args(argc, argv);
  cocobase::Client client(args.client_config());
  const std::string name = args.get("name", "guest");

  if (!print_rooms(client)) return 1;

  auto room = client.realtime().room(args.get("room", "lobby"), /*user_id=*/name, name);
  room.on("joined", [](const json::object&) { std::cout << "joined" << std::endl; })
      .on("user_joined", [](const json::object& m) {
        std::cout << member(m, "user_name") << " joined" << std::endl;
      })
      .on("user_left", [](const json::object& m) {
        std::cout << member(m, "user_name") << " left" << std::endl;
      })
      .on_message([](const cocobase::RoomMessage& m) {
        std::cout << (m.replay ? "(earlier) " : "") << m.user_name << ": "
                  << json::serialize(m.content) << std::endl;
      })
      .on_error(example::print_error)
      .with_history(20);  // the last 20 messages, on the first join

  if (const auto title = args.get("create"); !title.empty()) {
    room.create(title);
  } else {
    room.join();
  }

  for (std::string line; std::getline(std::cin, line);) {
    if (line == "/rooms") {
      print_rooms(client);
    } else {
      try {
        room.send_message(json::string(line));
      } catch (const cocobase::Error& e) {  // over the size limit, or the queue is full
        std::cerr << "not sent: " << e.what() << std::endl;
      }
    }
  }
  room.leave();
}
