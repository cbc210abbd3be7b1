// State synchronization: a local view of the open tasks that always equals the server's, kept
// by LiveCollection (REST snapshot + events; a task whose update closes it leaves the view).
//
//   live_view --url http://127.0.0.1:8080 --api-key cb_... [--collection tasks]
#include "example_args.hpp"

#include <cocobase/live_collection.hpp>

#include <iostream>

int main(int argc, char** argv) {
  const example::Args args(argc, argv);
  cocobase::Client client(args.client_config());

  cocobase::LiveCollection open_tasks(client, args.get("collection", "tasks"),
                                      cocobase::Query().where("status", "open").to_filter_object());
  open_tasks
      .on_change([&](const cocobase::LiveChange& change) {
        using Kind = cocobase::LiveChange::Kind;
        if (change.kind == Kind::reset) std::cout << "snapshot";
        if (change.kind == Kind::upsert) std::cout << "open: " << change.document.id;
        if (change.kind == Kind::remove) std::cout << "gone: " << change.document.id;
        // Accessors are safe here: the change is already applied.
        std::cout << " -> " << open_tasks.size() << " open tasks at seq "
                  << open_tasks.seq().value_or(0) << std::endl;
      })
      .on_error(example::print_error);
  open_tasks.start();

  example::wait_for_enter();
  for (const auto& task : open_tasks.documents())
    std::cout << task.id << " " << cocobase::json::serialize(task.data) << std::endl;
}
