// `cocobase doctor`: reports stored rows that no read can decode and, with --quarantine, moves
// them to the `quarantine` table (server/store/sqlite/doctor.hpp). Safe beside a running server:
// SQLite serializes the writers, and the server already skips such rows.
#include "commands.hpp"
#include "data_dir.hpp"

#include "store/sqlite/doctor.hpp"
#include "store/sqlite/schema.hpp"

#include <cocobase/protocol/json.hpp>

#include <filesystem>
#include <iostream>

namespace cocobase::cli {
namespace {

namespace json = protocol::json;

// Exit status when undecodable rows were found and left in place, so scripts can tell (as
// fsck's 4, "errors left uncorrected"; 3 is kExitDataDirRefused).
constexpr int kExitFound = 4;

struct DoctorArgs {
  std::string data_dir = "./cb_data";
  bool quarantine = false;
  bool json = false;
};

void run_doctor(const DoctorArgs& a) {
  std::string path = prepared_database(a.data_dir);
  if (!std::filesystem::exists(path)) fail("no database at " + path);
  server::sqlite::Connection c(path, server::sqlite::Connection::Mode::read_write);
  server::sqlite::apply_schema(c);  // creates the quarantine table in an older data dir
  auto rows = server::sqlite::check_stored_rows(c, a.quarantine);
  if (a.json) {
    json::array out;
    for (const auto& r : rows) out.push_back(json::object{{"table", r.table}, {"key", r.key}, {"column", r.column}});
    std::cout << protocol::to_json(json::object{{"undecodable", std::move(out)}, {"quarantined", a.quarantine}}) << "\n";
  } else {
    for (const auto& r : rows) std::cout << r.table << "\t" << r.key << "\t" << r.column << "\n";
    std::cout << rows.size() << " undecodable row(s)" << (rows.empty() ? "" : a.quarantine ? ", quarantined" : "; run again with --quarantine to move them aside") << "\n";
  }
  if (!rows.empty() && !a.quarantine) throw CLI::RuntimeError(kExitFound);
}

}  // namespace

void add_doctor_command(CLI::App& app) {
  auto a = std::make_shared<DoctorArgs>();
  auto* cmd = app.add_subcommand("doctor", "Find stored rows that cannot be decoded (exit 4 if any), and quarantine them");
  cmd->add_option("--data", a->data_dir, "Data directory")->envname("COCOBASE_DATA")->capture_default_str();
  cmd->add_flag("--quarantine", a->quarantine, "Move undecodable rows to the quarantine table (documents and change-log rows are removed, users reset)");
  cmd->add_flag("--json", a->json, "Print JSON");
  cmd->callback([a] { run_doctor(*a); });
}

}  // namespace cocobase::cli
