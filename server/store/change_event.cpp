#include "store/change_event.hpp"

namespace cocobase::server {

const char* change_kind_name(ChangeKind k) {
  switch (k) {
    case ChangeKind::create: return "create";
    case ChangeKind::update: return "update";
    case ChangeKind::del: return "delete";
  }
  return "?";
}

}  // namespace cocobase::server
