// A project-wide chat over the broadcast channel: every line typed is sent to every
// connection of the project (this one included), and every message received is printed.
//
//   broadcast_chat --url http://127.0.0.1:8080 --api-key cb_... --name Ada
#include "example_args.hpp"

#include <cocobase/client.hpp>

#include <iostream>
#include <string>

int main(int argc, char** argv) {
  const example::Args args(argc, argv);
  cocobase::Client client(args.client_config());
  const std::string name = args.get("name", "guest");

  auto channel = client.realtime().broadcast(/*user_id=*/name, /*user_name=*/name);
  channel
      .on_connected([](const cocobase::json::object&) {
        std::cout << "connected; type a line to send it, end input to quit" << std::endl;
      })
      .on_message([](const cocobase::BroadcastMessage& m) {
        std::cout << "[" << m.user_name << "] " << cocobase::json::serialize(m.data) << std::endl;
      })
      .on_error(example::print_error);
  channel.connect();

  // send() queues: lines typed before the connection is up go out once it is.
  for (std::string line; std::getline(std::cin, line);) {
    try {
      channel.send(cocobase::json::object{{"text", line}});
    } catch (const cocobase::Error& e) {  // over the size limit, or the queue is full
      std::cerr << "not sent: " << e.what() << std::endl;
    }
  }
  channel.disconnect();
}
