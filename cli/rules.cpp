// `cocobase rules ...`: per-collection access rules [extension; docs/auth.md]. Like the project
// verbs, works on a data dir a server may be running on; the server applies a change on its
// next request.
#include "commands.hpp"
#include "data_dir.hpp"

#include "auth/access_rules.hpp"
#include "store/sqlite/sqlite_store.hpp"

#include <cocobase/protocol/json.hpp>
#include <cocobase/protocol/names.hpp>

#include <iostream>

namespace cocobase::cli {
namespace {

namespace json = protocol::json;

struct RulesArgs {
  std::string data_dir = "./cb_data";
  std::string project = "default";
  std::string collection;
  std::string read, write;
  bool json = false;
};

void check_rule(const std::string& value, const char* which) {
  if (!value.empty() && !server::auth::parse_rule(value))
    fail(std::string("invalid ") + which + " rule '" + value + "': expected public, authenticated, owner or admin");
}

void set_rules(const RulesArgs& a) {
  if (!protocol::is_valid_collection_name(a.collection)) fail("invalid collection name '" + a.collection + "'");
  check_rule(a.read, "read");
  check_rule(a.write, "write");
  if (a.read.empty() && a.write.empty()) fail("give --read, --write or both");
  auto store = open_data_dir(a.data_dir);
  if (!store->project_exists(a.project)) fail("unknown project '" + a.project + "'");
  server::StoredRules r = store->get_rules(a.project, a.collection);
  if (!a.read.empty()) r.read = a.read;
  if (!a.write.empty()) r.write = a.write;
  store->set_rules(a.project, r);
  if (a.json) std::cout << protocol::to_json(json::object{{"collection", r.collection}, {"read", r.read}, {"write", r.write}}) << "\n";
  else std::cout << r.collection << "\tread=" << r.read << "\twrite=" << r.write << "\n";
}

void list_rules(const RulesArgs& a) {
  auto store = open_data_dir(a.data_dir);
  if (!store->project_exists(a.project)) fail("unknown project '" + a.project + "'");
  json::array out;
  for (const auto& r : store->list_rules(a.project)) {
    if (a.json) out.push_back(json::object{{"collection", r.collection}, {"read", r.read}, {"write", r.write}});
    else std::cout << r.collection << "\tread=" << r.read << "\twrite=" << r.write << "\n";
  }
  if (a.json) std::cout << protocol::to_json(json::value(out)) << "\n";
}

void common(CLI::App* cmd, RulesArgs& a) {
  cmd->add_option("--data", a.data_dir, "Data directory")->envname("COCOBASE_DATA")->capture_default_str();
  cmd->add_option("--project", a.project, "Project id")->capture_default_str();
  cmd->add_flag("--json", a.json, "Print JSON");
}

}  // namespace

// Each subcommand has its own args: CLI11 2.1 applies the env fallbacks of every subcommand,
// run or not, so a shared struct would let COCOBASE_DATA override the --data given.
void add_rules_commands(CLI::App& app) {
  auto a = std::make_shared<RulesArgs>();
  auto* rules = app.add_subcommand("rules", "Per-collection access rules (public, authenticated, owner, admin)");
  rules->require_subcommand(1);
  auto* set = rules->add_subcommand("set", "Set the read and/or write rule of a collection");
  set->add_option("collection", a->collection, "Collection name")->required();
  set->add_option("--read", a->read, "Who may read: public, authenticated, owner, admin");
  set->add_option("--write", a->write, "Who may write: public, authenticated, owner, admin");
  common(set, *a);
  set->callback([a] { set_rules(*a); });
  auto* list = rules->add_subcommand("list", "List the collections that have rules");
  auto la = std::make_shared<RulesArgs>();
  common(list, *la);
  list->callback([la] { list_rules(*la); });
}

}  // namespace cocobase::cli
