#pragma once
// A builder for the filter language of PROTOCOL 4, for list/count/aggregate over REST and for
// realtime watch filters.
//
//   Query q;
//   q.where("status", "active")                       // status=active
//    .where("age", Op::gte, 18)                        // age_gte=18
//    .or_where("role", Op::eq, "admin")                // [or]role=admin
//    .or_where("tier", Op::in, "gold,silver", "vip")   // [or:vip]tier_in=gold,silver
//    .any_of({"name", "email"}, Op::contains, "ann")   // name__or__email_contains=ann
//    .sort("created_at", Order::asc).limit(20).offset(40).select({"name"});
//
// Conditions keep insertion order; the query string follows the JS SDK's order (PROTOCOL 9.1).
#include <cocobase/json.hpp>

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cocobase {

enum class Op { eq, ne, gt, gte, lt, lte, contains, startswith, endswith, in, notin, isnull };
enum class Order { asc, desc };

// The key suffix of an operator ("_gte"); empty for eq. (A field whose name itself ends with an
// operator suffix, like "check_in", gets an explicit "_eq" from the builder: PROTOCOL 4.3.)
std::string_view op_suffix(Op op);

class Query {
 public:
  // A raw condition: key in the protocol's syntax ("age_gte", "[or]x"), value a scalar
  // (string, number, bool) or an array of scalars (joined with ',' in query strings). Null
  // values are skipped when encoding, like the JS SDK. Throws cocobase::Error for an object
  // value.
  Query& filter(std::string key, json::value value);

  Query& where(std::string_view field, json::value value);
  Query& where(std::string_view field, Op op, json::value value);
  // An OR condition; an empty group is the default [or] group, otherwise [or:group].
  Query& or_where(std::string_view field, Op op, json::value value, std::string_view group = {});
  // One condition over several fields: any of them satisfies it (a__or__b_op).
  Query& any_of(std::initializer_list<std::string_view> fields, Op op, json::value value);

  Query& sort(std::string field, Order order = Order::desc);
  Query& limit(std::int64_t n);
  Query& offset(std::int64_t n);
  // Both append to what earlier calls gave (the server accumulates repeated select/populate).
  Query& select(std::vector<std::string> fields);
  Query& populate(std::vector<std::string> fields);

  // "k=v&k2=v2&...&limit=100&offset=0", form-encoded (space as '+'). include_paging=false
  // leaves out limit and offset.
  std::string to_query_string(bool include_paging = true) const;
  // The conditions as a realtime filter object (PROTOCOL 5.2): {"key": value, ...}. Null values
  // are kept out; sort, paging, select and populate do not apply to watches.
  json::object to_filter_object() const;
  // The inverse: a Query holding the conditions of a filter object, in its order.
  static Query from_filter_object(const json::object& filters);

  const std::vector<std::pair<std::string, json::value>>& conditions() const { return conditions_; }
  std::int64_t limit_value() const { return limit_; }
  std::int64_t offset_value() const { return offset_; }
  const std::vector<std::string>& select_fields() const { return select_; }
  const std::vector<std::string>& populate_fields() const { return populate_; }

 private:
  std::vector<std::pair<std::string, json::value>> conditions_;
  std::optional<std::pair<std::string, Order>> sort_;
  std::int64_t limit_ = 100;
  std::int64_t offset_ = 0;
  std::vector<std::string> select_, populate_;
};

}  // namespace cocobase
