#pragma once
// The REST re-read of a watched collection after resync_required (PROTOCOL 9.2): every
// document matching the watcher's filters, and the X-Cocobase-Seq of the read.
#include <cocobase/json.hpp>
#include <cocobase/realtime.hpp>

#include <string_view>

namespace cocobase::detail {

class ClientCore;

// Pages through the collection (oldest first). A write between two pages can shift the pages,
// so the pages must all carry the same seq; the read is retried a few times until they do,
// then throws cocobase::Error. Throws ApiError/TransportError from the requests.
Snapshot read_snapshot(ClientCore& core, std::string_view collection, const json::object& filters);

}  // namespace cocobase::detail
