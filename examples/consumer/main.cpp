// Uses the installed SDK: with no arguments it only builds a query (a compile and link check);
// given a server, it writes and reads a document.
//
//   consumer                         prints a query string
//   consumer http://host:port KEY    creates a document in `consumer_check` and lists them
#include <cocobase/client.hpp>

#include <iostream>

int main(int argc, char** argv) {
  cocobase::ClientConfig config;
  config.base_url = argc > 2 ? argv[1] : "http://127.0.0.1:8080";
  config.api_key = argc > 2 ? argv[2] : "";
  cocobase::Client client(config);

  const auto query = cocobase::Query()
                         .where("kind", "check")
                         .where("n", cocobase::Op::gte, 1)
                         .sort("n", cocobase::Order::asc)
                         .limit(10);
  std::cout << query.to_query_string() << std::endl;
  if (argc <= 2) return 0;

  try {
    const auto created = client.create_document("consumer_check", {{"kind", "check"}, {"n", 1}});
    const auto listed = client.list_documents("consumer_check", query);
    std::cout << "created " << created.id << "; " << listed.documents.size()
              << " matching documents" << std::endl;
  } catch (const cocobase::Error& e) {
    std::cerr << "consumer: " << e.what() << std::endl;
    return 1;
  }
}
