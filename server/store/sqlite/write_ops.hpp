#pragma once
// The document writes, executed by the writer inside an open transaction. Each returns its
// result and appends its change events; on a non-ok status the caller rolls the write back.
#include "store/sqlite/sqlite_db.hpp"
#include "store/store.hpp"

#include <vector>

namespace cocobase::server::sqlite {

WriteResult apply_write(Connection& c, const WriteRequest& request, std::vector<ChangeEventPtr>& events);

}  // namespace cocobase::server::sqlite
