// Go-style named watch connections: the Client keeps a registry of them by name, so a program
// can watch several collections and close any one of them without holding its handle.
//
//   named_connections --url http://127.0.0.1:8080 --api-key cb_...
#include "example_args.hpp"

#include <cocobase/client.hpp>

#include <iostream>
#include <string>

using cocobase::WatchEvent;

namespace {

const char* type_name(cocobase::WatchEventType type) {
  switch (type) {
    case cocobase::WatchEventType::connected: return "connected";
    case cocobase::WatchEventType::create: return "create";
    case cocobase::WatchEventType::update: return "update";
    case cocobase::WatchEventType::delete_: return "delete";
    case cocobase::WatchEventType::replay_done: return "replay_done";
    case cocobase::WatchEventType::resync: return "resync";
  }
  return "?";
}

// One callback per connection, labelled, like the Go SDK's WatchCollection callbacks.
auto printer(std::string label) {
  return [label](const WatchEvent& e) {
    std::cout << label << ": " << type_name(e.type) << " " << e.document.id << std::endl;
  };
}

}  // namespace

int main(int argc, char** argv) {
  const example::Args args(argc, argv);
  cocobase::Client client(args.client_config());

  cocobase::WatchCollectionOptions only_paid;
  only_paid.watch.filters = cocobase::Query().where("status", "paid").to_filter_object();
  only_paid.on_error = example::print_error;

  client.watch_collection("orders", printer("paid orders"), "paid-orders", only_paid);
  client.watch_collection("users", printer("users"));  // named "watch-users" by default
  auto logs = client.watch_collection("logs", printer("logs"), "audit");

  std::cout << "open connections:";
  for (const auto& name : client.connection_names()) std::cout << " " << name;
  std::cout << std::endl;

  example::wait_for_enter();
  client.close_connection("audit");  // by name; the handle sees it
  std::cout << "audit closed: " << std::boolalpha << logs->is_closed() << std::endl;

  example::wait_for_enter();
  client.close_all_connections();
}
