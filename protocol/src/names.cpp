#include <cocobase/protocol/names.hpp>

namespace cocobase::protocol {
namespace {
bool is_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}
}  // namespace

bool is_valid_collection_name(std::string_view name) {
  if (name.empty() || name.size() > 64 || name == "documents" || name == "file") return false;
  for (char c : name)
    if (!is_alnum(c) && c != '_' && c != '-') return false;
  return true;
}

bool is_valid_project_id(std::string_view id) {
  if (id.empty() || id.size() > 63) return false;
  for (std::size_t i = 0; i < id.size(); ++i) {
    char c = id[i];
    bool lower_or_digit = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (!lower_or_digit && !(i > 0 && c == '-')) return false;
  }
  return true;
}

bool is_valid_room_id(std::string_view id) {
  if (id.empty() || id.size() > 128) return false;
  for (char c : id)
    if (!is_alnum(c) && c != '_' && c != '.' && c != ':' && c != '-') return false;
  return true;
}

}  // namespace cocobase::protocol
