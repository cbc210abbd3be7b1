// `cocobase docs create|get|update|delete|list|count`: the document REST calls (PROTOCOL 3)
// through the SDK, JSON on stdout.
#include "client_options.hpp"
#include "commands.hpp"

#include <cocobase/protocol/json.hpp>

#include <iostream>
#include <iterator>
#include <optional>

namespace cocobase::cli {
namespace {

struct DocsArgs {
  ClientOptions client;
  std::string collection, id;
  std::optional<std::string> data;
  std::vector<std::string> filters;
  std::string sort, order;
  std::optional<std::int64_t> limit, offset;
};

[[noreturn]] void usage_error(const std::string& msg) {
  print_err("cocobase: " + msg);
  throw CLI::RuntimeError(1);
}

// --data, else all of stdin; it must be a JSON object (the SDK wraps it as {"data": ...}, 3.1).
json::object read_data(const DocsArgs& a) {
  std::string text = a.data ? *a.data
                            : std::string(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
  json::value v;
  try {
    v = protocol::parse_json(text);
  } catch (const protocol::JsonParseError& e) {
    usage_error("document data is not JSON: " + e.message);
  }
  if (!v.is_object()) usage_error("document data must be a JSON object");
  return std::move(v.as_object());
}

Query make_query(const DocsArgs& a) {
  Query q;
  // Values stay strings: the server reads them as query-string operands (4.5).
  for (auto& [key, value] : parse_pairs(a.filters, "--filter")) q.filter(key, json::value(value));
  if (!a.order.empty() && a.sort.empty()) usage_error("--order needs --sort");
  if (!a.sort.empty()) {
    if (!a.order.empty() && a.order != "asc" && a.order != "desc") usage_error("--order is asc or desc");
    q.sort(a.sort, a.order == "asc" ? Order::asc : Order::desc);
  }
  if (a.limit) q.limit(*a.limit);
  if (a.offset) q.offset(*a.offset);
  return q;
}

json::value documents_json(const std::vector<Document>& docs) {
  json::array out;
  for (const auto& d : docs) out.push_back(document_to_json(d));
  return out;
}

constexpr const char* kFooter =
    "Output: one line of JSON on stdout: documents as the server sends them; list: an array;\n"
    "count: {\"count\":N}; delete: {\"success\":true,\"id\":ID}. Filter values are strings, read\n"
    "by the server as query-string operands (PROTOCOL 4.5). API errors go to stderr as\n"
    "{\"status\",\"code\",\"detail\"}; exit 1.";

using Action = void (*)(Client&, const DocsArgs&);

// One `docs` verb with its own DocsArgs: CLI11 applies environment variables to the options of
// every subcommand, used or not, so siblings must not share the variables options write to.
struct Verb {
  CLI::App* cmd;
  DocsArgs* args;
};

Verb verb(CLI::App* docs, const char* name, const char* help, Action action) {
  auto a = std::make_shared<DocsArgs>();
  auto* cmd = docs->add_subcommand(name, help);
  cmd->footer(kFooter);
  cmd->add_option("collection", a->collection, "Collection name")->required();
  add_client_options(cmd, a->client, false);
  cmd->callback([a, action] {
    auto client = make_client(a->client);
    run_rest([&] { action(*client, *a); });
  });
  return {cmd, a.get()};  // the callback keeps it alive
}

void add_id(const Verb& v) { v.cmd->add_option("id", v.args->id, "Document id")->required(); }
void add_data(const Verb& v) {
  v.cmd->add_option("--data", v.args->data, "Document data, a JSON object (default: read from stdin)");
}
void add_filters(const Verb& v) {
  v.cmd->add_option("--filter", v.args->filters, "Filter condition key=value (repeatable; PROTOCOL 4)")
      ->expected(1)
      ->allow_extra_args(false)  // `--filter a=1 users`: users is the collection
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
}

}  // namespace

void add_docs_commands(CLI::App& app) {
  auto* docs = app.add_subcommand("docs", "Create, read, update, delete, list and count documents over REST");
  docs->require_subcommand(1);
  docs->footer(kFooter);

  auto create = verb(docs, "create", "Create a document", [](Client& c, const DocsArgs& x) {
    print_json(document_to_json(c.create_document(x.collection, read_data(x))));
  });
  add_data(create);

  add_id(verb(docs, "get", "Get a document by id", [](Client& c, const DocsArgs& x) {
    print_json(document_to_json(c.get_document(x.collection, x.id)));
  }));

  auto update = verb(docs, "update", "Shallow-merge data into a document", [](Client& c, const DocsArgs& x) {
    print_json(document_to_json(c.update_document(x.collection, x.id, read_data(x))));
  });
  add_id(update);
  add_data(update);

  add_id(verb(docs, "delete", "Delete a document", [](Client& c, const DocsArgs& x) {
    c.delete_document(x.collection, x.id);
    print_json(json::object{{"success", true}, {"id", x.id}});
  }));

  auto list = verb(docs, "list", "List documents matching filters", [](Client& c, const DocsArgs& x) {
    print_json(documents_json(c.list_documents(x.collection, make_query(x)).documents));
  });
  add_filters(list);
  list.cmd->add_option("--sort", list.args->sort, "Field to sort by");
  list.cmd->add_option("--order", list.args->order, "asc or desc (default desc)");
  list.cmd->add_option("--limit", list.args->limit, "Most documents to return (server default 100)")
      ->check(CLI::NonNegativeNumber);
  list.cmd->add_option("--offset", list.args->offset, "Documents to skip")->check(CLI::NonNegativeNumber);

  add_filters(verb(docs, "count", "Count documents matching filters", [](Client& c, const DocsArgs& x) {
    print_json(json::object{{"count", c.count_documents(x.collection, make_query(x))}});
  }));
}

}  // namespace cocobase::cli
