#include "commands.hpp"

#include <sodium.h>

#include <iostream>

int main(int argc, char** argv) {
  if (sodium_init() < 0) {
    std::cerr << "cocobase: libsodium failed to initialize\n";
    return 1;
  }
  CLI::App app{"cocobase: a self-hosted, Cocobase-compatible realtime backend"};
  app.require_subcommand(1);
  cocobase::cli::add_serve_command(app);
  cocobase::cli::add_project_commands(app);
  cocobase::cli::add_rules_commands(app);
  cocobase::cli::add_doctor_command(app);
  cocobase::cli::add_watch_command(app);
  cocobase::cli::add_broadcast_command(app);
  cocobase::cli::add_room_command(app);
  cocobase::cli::add_rooms_command(app);
  cocobase::cli::add_docs_commands(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const std::exception& e) {
    std::cerr << "cocobase: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
