#include "realtime/ws_error.hpp"

namespace cocobase::server::realtime {

std::string error_message(const WsError& e) {
  std::string out = R"({"type":"error","error":)";
  protocol::append_json_string(out, error_text(e.code));
  out += R"(,"code":)";
  protocol::append_json_string(out, e.code);
  for (const auto& m : e.extra) {
    out += ',';
    protocol::append_json_string(out, m.key());
    out += ':';
    protocol::append_json(out, m.value());
  }
  out += '}';
  return out;
}

void send_error(Connection& c, const WsError& e) {
  c.send(make_frame(error_message(e)));
  if (std::uint16_t close = error_close_code(e.code)) c.close(close, e.code);
}

}  // namespace cocobase::server::realtime
