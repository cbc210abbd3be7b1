#pragma once
// The filter language of PROTOCOL 4.2-4.8: parsing query-string and realtime filters, and
// matching a parsed filter against one record. Matching is a pure function of (record, filter)
// so that REST listing and realtime fan-out agree exactly.
//
// Operands are pre-parsed when a condition is added to a Filter (numeric value, boolean
// meaning, folded text), so matches() does no parsing of the operand and no allocation.
#include <cocobase/protocol/document.hpp>
#include <cocobase/protocol/json.hpp>

#include <boost/json/object.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cocobase::protocol {

using Path = std::vector<std::string>;  // split on '.', segments non-empty

enum class FilterOp { eq, ne, gt, gte, lt, lte, contains, startswith, endswith, in, notin, isnull };

struct FilterLimits {
  std::size_t max_conditions = 64;
  std::size_t max_in_items = 1000;
  // A string operator costs haystack + operand per document; an operand this long is already
  // far beyond any real search term or id, and bounds what one condition may cost.
  std::size_t max_operand_bytes = 4096;
};

// Thrown on invalid filters; detail names the key, e.g. "Invalid filter key '[x]name'".
// REST maps it to 400 INVALID_QUERY, WebSocket to INVALID_FILTER close 4400.
struct FilterError : std::runtime_error {
  FilterError(std::string d, std::string k = {})
      : std::runtime_error(d), detail(std::move(d)), key(std::move(k)) {}
  std::string detail;
  std::string key;  // the offending filter key, when one is to blame
};

// A number as the numeric comparison of 4.6 sees it: exact when it is an integer that fits
// int64, otherwise a double.
struct NumericValue {
  bool is_int = false;
  std::int64_t i = 0;
  double d = 0;  // always set (== i when is_int)
};

// 4.6 "numeric text": the regex, and finite as a double. nullopt when s is not numeric text.
std::optional<NumericValue> parse_numeric_text(std::string_view s);
bool is_numeric_text(std::string_view s);
// A JSON number value (int64, uint64 or double); nullopt for any other kind.
std::optional<NumericValue> numeric_value(const json::value& v);
// 4.6 numeric comparison: exact if both are int64 integers, else as doubles. <0, 0, >0.
int compare_numeric(const NumericValue& a, const NumericValue& b);

// What the matcher needs to know about one operand, computed once.
struct PreparedOperand {
  bool numeric = false;  // the operand is numeric text; `number` is valid
  NumericValue number;
  signed char boolean = -1;  // fold(operand) == "true" -> 1, "false" -> 0, else -1
};
PreparedOperand prepare_operand(std::string_view text);

struct Condition {
  std::string key;  // the key as written, for diagnostics
  std::vector<Path> paths;  // more than one: a__or__b, true when the operator holds for any
  FilterOp op = FilterOp::eq;
  std::string operand;
  std::vector<std::string> items;  // in / notin
  bool isnull_wanted = false;      // isnull

  // Caches derived from operand/items; filled by prepare() (Filter::add calls it).
  PreparedOperand prepared;
  std::string folded_operand;                 // contains
  std::vector<std::uint32_t> folded_borders;  // contains: KMP failure table of folded_operand
  std::vector<PreparedOperand> prepared_items;  // parallel to items

  void prepare();
  // Whether the condition holds for the record (any of `paths`).
  bool holds(const FieldSource& src) const;
  // Whether the operator holds for one resolved value (nullptr = missing).
  bool holds_for(const json::value* f) const;
};

struct OrGroup {
  std::string name;  // "default" for [or]
  std::vector<Condition> conditions;
};

class Filter {
 public:
  bool empty() const { return count_ == 0; }
  // PROTOCOL 4.7: every ungrouped condition holds and every group has a condition that holds.
  bool matches(const FieldSource& src) const;
  std::size_t condition_count() const { return count_; }

  const std::vector<Condition>& conditions() const { return conditions_; }  // ANDed
  const std::vector<OrGroup>& groups() const { return groups_; }  // in order of first use

  // Adds a condition: ungrouped when group is nullopt. Prepares the condition's caches.
  void add(std::optional<std::string_view> group, Condition c);

 private:
  std::vector<Condition> conditions_;
  std::vector<OrGroup> groups_;
  std::size_t count_ = 0;
};

// Parses a single key (4.3) into the condition's paths and operator, and its group
// ("default" for [or]; nullopt when ungrouped). Throws FilterError.
struct ParsedKey {
  std::optional<std::string> group;
  std::vector<Path> paths;
  FilterOp op = FilterOp::eq;
};
ParsedKey parse_filter_key(std::string_view key);

// Query-string pairs (already percent-decoded, in order, repeats allowed). Keys in `reserved`
// are skipped (exact match). Throws FilterError.
Filter parse_query_filter(const std::vector<std::pair<std::string, std::string>>& pairs,
                          const std::vector<std::string_view>& reserved,
                          const FilterLimits& limits);

// The realtime `filters` object (4.5). Names of reserved_keys_common() are ignored.
// Throws FilterError.
Filter parse_ws_filter(const json::object& filters, const FilterLimits& limits);

// Reserved key lists of 4.2.
const std::vector<std::string_view>& reserved_keys_common();     // limit offset sort order sort_by sort_order select populate count
const std::vector<std::string_view>& reserved_keys_aggregate();  // common + field operation

// Splits on '.'; throws FilterError on an empty segment.
Path parse_path(std::string_view text);

// 4.4: resolves a path; nullptr for *missing* (a JSON null member gives a pointer to that null).
const json::value* resolve_path(const FieldSource& src, const Path& path);

// ASCII-only case folding of 4.6.
std::string fold_ascii(std::string_view s);

}  // namespace cocobase::protocol
