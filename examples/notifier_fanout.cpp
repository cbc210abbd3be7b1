// Fan-out: one watch connection feeds several independent parts of a program. Each subscribes
// on its own and unsubscribes by dropping (or resetting) its Subscription.
//
//   notifier_fanout --url http://127.0.0.1:8080 --api-key cb_... [--collection tickets]
#include "example_args.hpp"

#include <cocobase/client.hpp>
#include <cocobase/patterns.hpp>

#include <atomic>
#include <iostream>

using cocobase::WatchEvent;
using cocobase::WatchEventType;

int main(int argc, char** argv) {
  const example::Args args(argc, argv);
  cocobase::Client client(args.client_config());

  cocobase::FanOut<WatchEvent> changes;

  // A log of every change.
  auto log = changes.subscribe([](const WatchEvent& e) {
    std::cout << "log: " << e.collection << "/" << e.document.id << " (seq " << e.seq << ")"
              << std::endl;
  });

  // A counter that other threads read.
  std::atomic<int> created{0};
  auto counter = changes.subscribe([&](const WatchEvent& e) {
    if (e.type == WatchEventType::create) ++created;
  });

  // A one-shot alert: it unsubscribes itself from inside its own callback.
  cocobase::Subscription first_delete;
  first_delete = changes.subscribe([&](const WatchEvent& e) {
    if (e.type != WatchEventType::delete_) return;
    std::cout << "alert: first deletion, " << e.document.id << std::endl;
    first_delete.reset();
  });

  auto watcher = client.realtime().collection(args.get("collection", "tickets"));
  // publish() runs the subscribers on the Client's I/O thread: they must stay short.
  auto publish = [&](const WatchEvent& e) { changes.publish(e); };
  watcher.on_create(publish).on_update(publish).on_delete(publish).on_error(example::print_error);
  watcher.connect();

  std::cout << changes.size() << " subscribers" << std::endl;
  example::wait_for_enter();
  watcher.disconnect();
  std::cout << created << " documents created" << std::endl;
}
