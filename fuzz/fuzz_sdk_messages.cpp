// What the SDK decodes from a server: a realtime message as ws_link parses it, through the
// watch, broadcast and room decoders (sdk/src/realtime/messages), and a REST body through
// every decoder of sdk/src/rest/decode. A decoder may refuse with cocobase::Error, nothing else.
#include "realtime/messages.hpp"
#include "rest/decode.hpp"

#include <cocobase/error.hpp>
#include <cocobase/protocol/json.hpp>

#include <cstdint>

namespace pr = cocobase::protocol;
namespace d = cocobase::detail;

namespace {

template <typename F>
void refusable(F&& f) {
  try {
    f();
  } catch (const cocobase::Error&) {
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);

  d::HttpResponse response{200, text, {{"x-cocobase-seq", text.substr(0, 24)}}};
  (void)d::seq_header(response);
  cocobase::json::value body;
  try {
    body = d::parse_body(response);
  } catch (const cocobase::Error&) {
    return 0;
  }
  refusable([&] { (void)d::documents_from_json(body); });
  refusable([&] { (void)d::app_user_from_json(body); });
  refusable([&] { (void)d::auth_result_from_json(body); });
  refusable([&] { (void)d::user_list_from_json(body); });
  refusable([&] { (void)d::collections_from_json(body); });
  refusable([&] { (void)d::rooms_from_json(body); });
  refusable([&] { (void)cocobase::document_from_json(body); });

  // ws_link.cpp: messages are parsed with the default limits and must be objects.
  pr::json::value v;
  try {
    v = pr::parse_json(text);
  } catch (const pr::JsonParseError&) {
    return 0;
  }
  if (!v.is_object()) return 0;
  const auto& msg = v.get_object();
  refusable([&] { (void)d::decode_watch_message(msg, "c"); });
  (void)d::decode_broadcast_message(msg);
  (void)d::decode_room_message(msg);
  return 0;
}
