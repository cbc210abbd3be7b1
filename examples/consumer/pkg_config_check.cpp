// Built by scripts/check-consumer.sh with nothing but `pkg-config --cflags --libs cocobase`:
// the SDK's headers (patterns included) and its static libraries must suffice.
#include <cocobase/client.hpp>
#include <cocobase/patterns.hpp>

#include <iostream>
#include <string>

int main() {
  cocobase::ClientConfig config;
  config.base_url = "http://127.0.0.1:8080";
  cocobase::Client client(config);

  cocobase::FanOut<std::string> lines;
  auto printer = lines.subscribe([](const std::string& s) { std::cout << s << std::endl; });
  lines.publish(cocobase::Query().where("ok", true).to_query_string(false));
}
