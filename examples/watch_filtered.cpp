// Watch a collection through a server-side filter: only documents that match arrive, and an
// update that makes a document stop matching arrives once more, flagged left_filter.
//
//   watch_filtered --url http://127.0.0.1:8080 --api-key cb_... [--collection tasks]
#include "example_args.hpp"

#include <cocobase/client.hpp>

#include <iostream>

using cocobase::Op;
using cocobase::WatchEvent;

int main(int argc, char** argv) {
  const example::Args args(argc, argv);
  cocobase::Client client(args.client_config());

  // The same filter language as list_documents (PROTOCOL 4), evaluated by the server.
  const auto filters = cocobase::Query()
                           .where("status", "open")
                           .where("priority", Op::gte, 3)
                           .to_filter_object();

  auto watcher = client.realtime().collection(args.get("collection", "tasks"), filters);
  watcher
      .on_connected([](const WatchEvent& e) {
        std::cout << "watching " << e.collection << " (at seq " << e.seq << ")" << std::endl;
      })
      .on_create([](const WatchEvent& e) {
        std::cout << "new urgent task " << e.document.id << ": "
                  << cocobase::json::serialize(e.document.data) << std::endl;
      })
      .on_update([](const WatchEvent& e) {
        // left_filter: the document changed so that it no longer matches; drop it from views.
        std::cout << (e.left_filter ? "no longer urgent: " : "updated: ") << e.document.id
                  << std::endl;
      })
      .on_delete([](const WatchEvent& e) {
        std::cout << "deleted: " << e.document.id << std::endl;
      })
      .on_error(example::print_error);
  watcher.connect();

  example::wait_for_enter();
  watcher.disconnect();
}
