// Debouncing: a burst of watch events (an import, a batch write) triggers one expensive
// refresh, 500 ms after the burst ends, instead of one per event.
//
//   debounced_updates --url http://127.0.0.1:8080 --api-key cb_... [--collection products]
#include "example_args.hpp"

#include <cocobase/client.hpp>
#include <cocobase/patterns.hpp>

#include <chrono>
#include <iostream>
#include <string>

int main(int argc, char** argv) {
  const example::Args args(argc, argv);
  cocobase::Client client(args.client_config());
  const std::string collection = args.get("collection", "products");

  // Runs on the debouncer's thread, not the Client's I/O thread: a blocking REST call is fine
  // here, and must not throw out of it.
  cocobase::Debouncer refresh(std::chrono::milliseconds(500), [&] {
    try {
      std::cout << collection << " now holds " << client.count_documents(collection)
                << " documents" << std::endl;
    } catch (const cocobase::Error& e) {
      std::cerr << "refresh failed: " << e.what() << std::endl;
    }
  });

  auto watcher = client.realtime().collection(collection);
  // Callbacks run on the I/O thread and must stay short: they only (re)arm the debouncer.
  watcher.on_event([&](const cocobase::WatchEvent&) { refresh.trigger(); })
      .on_error(example::print_error);
  watcher.connect();

  example::wait_for_enter();
  watcher.disconnect();  // no callback runs after this, so none can touch `refresh` any more
}
