#include <cocobase/protocol/populate.hpp>

#include <map>

#include <cocobase/protocol/text.hpp>

namespace cocobase::protocol {
namespace {


// A tree of chains, so `post.author` and `post.tags` populate `post` once.
struct Node {
  std::map<std::string, Node> children;
};

class Populator {
 public:
  explicit Populator(const PopulateLookup& lookup) : lookup_(lookup) {}

  void apply(json::object& o, const Node& node) {
    for (const auto& [field, child] : node.children) {
      if (!populate_field(o, field)) continue;
      json::value& v = o[field];
      if (child.children.empty()) continue;
      if (v.is_object()) apply(v.get_object(), child);
      else if (v.is_array())
        for (auto& e : v.get_array())
          if (e.is_object()) apply(e.get_object(), child);
    }
  }

 private:
  // The reference: O[F_id] if a string or array, else O[F] if a string or array of strings.
  const json::value* reference(const json::object& o, const std::string& field) {
    if (const json::value* r = o.if_contains(field + "_id"); r && (r->is_string() || r->is_array())) return r;
    const json::value* r = o.if_contains(field);
    if (!r) return nullptr;
    if (r->is_string()) return r;
    if (r->is_array()) {
      for (const auto& e : r->get_array())
        if (!e.is_string()) return nullptr;
      return r;
    }
    return nullptr;
  }

  json::value resolve(const json::value& id) {
    if (!id.is_string()) return nullptr;
    auto found = lookup_(std::string(id.get_string()));
    return found ? json::value(std::move(*found)) : json::value(nullptr);
  }

  bool populate_field(json::object& o, const std::string& field) {
    const json::value* ref = reference(o, field);
    if (!ref) return false;
    json::value result;
    if (ref->is_array()) {
      json::array out;
      for (const auto& e : ref->get_array()) out.push_back(resolve(e));
      result = std::move(out);
    } else {
      result = resolve(*ref);
    }
    o[field] = std::move(result);
    return true;
  }

  const PopulateLookup& lookup_;
};

}  // namespace

std::vector<Path> parse_populate(const std::vector<std::string>& values, std::size_t max_depth) {
  std::vector<Path> chains;
  for (const auto& value : values) {
    std::string_view rest = value;
    while (true) {
      auto comma = rest.find(',');
      std::string_view item = trim_blanks(rest.substr(0, comma));
      if (!item.empty()) {
        if (item.find('*') != std::string_view::npos)
          throw FilterError{"Invalid populate '" + std::string(item) + "': wildcards are not supported"};
        Path p = parse_path(item);
        if (p.size() > max_depth)
          throw FilterError{"Invalid populate '" + std::string(item) + "': deeper than " + std::to_string(max_depth)};
        chains.push_back(std::move(p));
      }
      if (comma == std::string_view::npos) break;
      rest = rest.substr(comma + 1);
    }
  }
  return chains;
}

void populate(json::object& data, const std::vector<Path>& chains, const PopulateLookup& lookup) {
  Node root;
  for (const auto& chain : chains) {
    Node* n = &root;
    for (const auto& seg : chain) n = &n->children[seg];
  }
  Populator(lookup).apply(data, root);
}

}  // namespace cocobase::protocol
