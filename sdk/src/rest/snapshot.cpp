#include "rest/snapshot.hpp"

#include "client_core.hpp"
#include "http/base_url.hpp"

#include <cocobase/query.hpp>
#include <cocobase/protocol/json.hpp>

#include <charconv>

namespace cocobase::detail {
namespace {

constexpr std::int64_t kPageSize = 1000;  // the server's default --max-list-limit
constexpr int kAttempts = 5;

std::int64_t seq_header(const HttpResponse& r) {
  const std::string* h = r.header("x-cocobase-seq");
  std::int64_t seq = -1;
  if (h) std::from_chars(h->data(), h->data() + h->size(), seq);
  if (seq < 0) throw Error("list response without X-Cocobase-Seq");
  return seq;
}

std::optional<Snapshot> read_once(ClientCore& core, const std::string& path, Query query) {
  Snapshot snap;
  std::optional<std::int64_t> seq;
  for (std::int64_t offset = 0;; offset += kPageSize) {
    query.limit(kPageSize).offset(offset);
    HttpResponse r = core.call("GET", path + "?" + query.to_query_string());
    const std::int64_t page_seq = seq_header(r);
    if (seq && *seq != page_seq) return std::nullopt;
    seq = page_seq;
    json::value body = protocol::parse_json(r.body);
    if (!body.is_array()) throw Error("list response is not an array");
    for (const auto& d : body.get_array()) snap.documents.push_back(document_from_json(d));
    if (static_cast<std::int64_t>(body.get_array().size()) < kPageSize) break;
  }
  snap.seq = *seq;
  return snap;
}

}  // namespace

Snapshot read_snapshot(ClientCore& core, std::string_view collection, const json::object& filters) {
  const std::string path = "/collections/" + encode_path_segment(collection) + "/documents";
  Query query = Query::from_filter_object(filters);
  query.sort("created_at", Order::asc);
  for (int i = 0; i < kAttempts; ++i)
    if (auto snap = read_once(core, path, query)) return std::move(*snap);
  throw Error("the collection kept changing while it was read page by page");
}

}  // namespace cocobase::detail
