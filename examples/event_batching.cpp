// Batching: watch events are grouped, up to 100 at a time or one second after the first of a
// group, and handled per group (one UI update, one log line, one bulk write downstream).
//
//   event_batching --url http://127.0.0.1:8080 --api-key cb_... [--collection orders]
#include "example_args.hpp"

#include <cocobase/client.hpp>
#include <cocobase/patterns.hpp>

#include <chrono>
#include <iostream>
#include <map>
#include <string>
#include <vector>

using cocobase::WatchEvent;
using cocobase::WatchEventType;

namespace {

void summarize(const std::vector<WatchEvent>& batch) {
  std::map<WatchEventType, int> counts;
  for (const auto& e : batch) ++counts[e.type];
  std::cout << batch.size() << " changes: " << counts[WatchEventType::create] << " created, "
            << counts[WatchEventType::update] << " updated, " << counts[WatchEventType::delete_]
            << " deleted (up to seq " << batch.back().seq << ")" << std::endl;
}

}  // namespace

int main(int argc, char** argv) {
  const example::Args args(argc, argv);
  cocobase::Client client(args.client_config());

  cocobase::Batcher<WatchEvent> batcher(100, std::chrono::seconds(1), summarize);

  auto watcher = client.realtime().collection(args.get("collection", "orders"));
  auto add = [&](const WatchEvent& e) { batcher.push(e); };
  watcher.on_create(add).on_update(add).on_delete(add).on_error(example::print_error);
  watcher.connect();

  example::wait_for_enter();
  watcher.disconnect();
  // The batcher's destructor hands over the last, partial batch.
}
