#pragma once
// Each verb of the `cocobase` binary registers its subcommand here.
#include <CLI/CLI.hpp>

namespace cocobase::cli {

void add_serve_command(CLI::App& app);
void add_project_commands(CLI::App& app);
void add_rules_commands(CLI::App& app);
void add_doctor_command(CLI::App& app);
// Client verbs, built on libcocobase (client_options.hpp).
void add_watch_command(CLI::App& app);
void add_broadcast_command(CLI::App& app);
void add_room_command(CLI::App& app);
void add_rooms_command(CLI::App& app);
void add_docs_commands(CLI::App& app);

}  // namespace cocobase::cli
