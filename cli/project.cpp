// `cocobase project ...`: provisioning of projects and API keys (PROTOCOL 1.8). Works on a data
// dir a server may be running on; the server sees the change on its next request.
#include "commands.hpp"
#include "data_dir.hpp"

#include "auth/api_keys.hpp"
#include "store/sqlite/sqlite_store.hpp"

#include <cocobase/protocol/json.hpp>
#include <cocobase/protocol/names.hpp>

#include <iostream>

namespace cocobase::cli {
namespace {

namespace json = protocol::json;

struct ProjectArgs {
  std::string data_dir = "./cb_data";
  std::string project;
  std::string name;
  std::string key_id;
  bool json = false;
  bool admin = false;
};

void create_project(const ProjectArgs& a) {
  if (!protocol::is_valid_project_id(a.project))
    fail("invalid project id '" + a.project + "': 1-63 chars, [a-z0-9] then [a-z0-9-]");
  auto store = open_data_dir(a.data_dir);
  auto p = store->create_project(a.project, a.name.empty() ? a.project : a.name);
  if (!p) fail("project '" + a.project + "' already exists");
  auto key = server::auth::issue_api_key(*store, p->id);
  if (a.json) {
    std::cout << protocol::to_json(json::object{{"id", p->id}, {"name", p->name}, {"api_key", key->api_key}}) << "\n";
  } else {
    std::cout << "Project '" << p->id << "' created.\nAPI key (shown once): " << key->api_key << "\n";
  }
}

void list_projects(const ProjectArgs& a) {
  auto store = open_data_dir(a.data_dir);
  json::array out;
  for (const auto& p : store->list_projects()) {
    if (a.json) out.push_back(json::object{{"id", p.id}, {"name", p.name}, {"created_at", p.created_at}});
    else std::cout << p.id << "\t" << p.name << "\t" << p.created_at << "\n";
  }
  if (a.json) std::cout << protocol::to_json(json::value(out)) << "\n";
}

void create_key(const ProjectArgs& a) {
  auto store = open_data_dir(a.data_dir);
  auto key = server::auth::issue_api_key(*store, a.project, a.admin);
  if (!key) fail("unknown project '" + a.project + "'");
  if (a.json) {
    std::cout << protocol::to_json(json::object{{"project", a.project}, {"api_key", key->api_key},
                                                {"key_id", key->info.key_id}, {"admin", a.admin}})
              << "\n";
  } else {
    std::cout << "API key (shown once): " << key->api_key << "\nKey id: " << key->info.key_id << "\n";
  }
}

void list_keys(const ProjectArgs& a) {
  auto store = open_data_dir(a.data_dir);
  json::array out;
  for (const auto& k : store->list_api_keys(a.project)) {
    if (a.json)
      out.push_back(json::object{{"key_id", k.key_id}, {"created_at", k.created_at}, {"revoked", k.revoked}, {"admin", k.admin}});
    else
      std::cout << k.key_id << "\t" << k.created_at << (k.admin ? "\tadmin" : "") << (k.revoked ? "\trevoked" : "") << "\n";
  }
  if (a.json) std::cout << protocol::to_json(json::value(out)) << "\n";
}

void revoke_key(const ProjectArgs& a) {
  auto store = open_data_dir(a.data_dir);
  if (!store->revoke_api_key(a.project, a.key_id))
    fail("no active key '" + a.key_id + "' in project '" + a.project + "'");
  if (!a.json) std::cout << "Key " << a.key_id << " revoked.\n";
  else std::cout << protocol::to_json(json::object{{"key_id", a.key_id}, {"revoked", true}}) << "\n";
}

void common(CLI::App* cmd, ProjectArgs& a) {
  cmd->add_option("--data", a.data_dir, "Data directory")->envname("COCOBASE_DATA")->capture_default_str();
  cmd->add_flag("--json", a.json, "Print JSON");
}

}  // namespace

// Each subcommand has its own args: CLI11 2.1 applies the env fallbacks of every subcommand,
// run or not, so a shared struct would let COCOBASE_DATA override the --data given.
void add_project_commands(CLI::App& app) {
  auto a = std::make_shared<ProjectArgs>();
  auto* project = app.add_subcommand("project", "Create and list projects and their API keys");
  project->require_subcommand(1);

  auto* create = project->add_subcommand("create", "Create a project and its first API key");
  create->add_option("id", a->project, "Project id")->required();
  create->add_option("--name", a->name, "Display name (default: the id)");
  common(create, *a);
  create->callback([a] { create_project(*a); });

  a = std::make_shared<ProjectArgs>();
  auto* list = project->add_subcommand("list", "List projects");
  common(list, *a);
  list->callback([a] { list_projects(*a); });

  auto* key = project->add_subcommand("key", "Manage a project's API keys");
  key->require_subcommand(1);
  a = std::make_shared<ProjectArgs>();
  auto* kcreate = key->add_subcommand("create", "Issue a new API key");
  kcreate->add_option("project", a->project, "Project id")->required();
  kcreate->add_flag("--admin", a->admin, "An admin key: bypasses access rules (servers and operators only)");
  common(kcreate, *a);
  kcreate->callback([a] { create_key(*a); });
  a = std::make_shared<ProjectArgs>();
  auto* klist = key->add_subcommand("list", "List a project's keys (ids only)");
  klist->add_option("project", a->project, "Project id")->required();
  common(klist, *a);
  klist->callback([a] { list_keys(*a); });
  a = std::make_shared<ProjectArgs>();
  auto* krevoke = key->add_subcommand("revoke", "Revoke a key: refused from the next request on");
  krevoke->add_option("key_id", a->key_id, "Key id (from 'key list' or 'key create')")->required();
  krevoke->add_option("--project", a->project, "Project id")->required();
  common(krevoke, *a);
  krevoke->callback([a] { revoke_key(*a); });
}

}  // namespace cocobase::cli
