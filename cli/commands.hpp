#pragma once
// Each verb of the `cocobase` binary registers its subcommand here.
#include <CLI/CLI.hpp>

namespace cocobase::cli {

void add_serve_command(CLI::App& app);
void add_project_commands(CLI::App& app);
void add_rules_commands(CLI::App& app);

}  // namespace cocobase::cli
