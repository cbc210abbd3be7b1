#include "rest/snapshot.hpp"

#include "client_core.hpp"
#include "http/base_url.hpp"
#include "rest/decode.hpp"

#include <cocobase/query.hpp>

#include <iterator>

namespace cocobase::detail {
namespace {

constexpr std::int64_t kPageSize = 1000;  // the server's default --max-list-limit
constexpr int kAttempts = 5;

std::optional<Snapshot> read_once(ClientCore& core, const std::string& path, Query query) {
  Snapshot snap;
  std::optional<std::int64_t> seq;
  for (std::int64_t offset = 0;; offset += kPageSize) {
    query.limit(kPageSize).offset(offset);
    HttpResponse r = core.call("GET", path + "?" + query.to_query_string());
    // Without the header the snapshot's place in the event stream is unknown.
    if (!r.header("x-cocobase-seq")) throw Error("list response without X-Cocobase-Seq");
    const std::int64_t page_seq = seq_header(r);
    if (seq && *seq != page_seq) return std::nullopt;
    seq = page_seq;
    std::vector<Document> page = documents_from_json(parse_body(r));
    const auto page_size = static_cast<std::int64_t>(page.size());
    std::move(page.begin(), page.end(), std::back_inserter(snap.documents));
    if (page_size < kPageSize) break;
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
