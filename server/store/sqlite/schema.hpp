#pragma once
#include "store/sqlite/sqlite_db.hpp"

namespace cocobase::server::sqlite {

// Sets WAL + synchronous=FULL and creates the tables if needed. Idempotent.
void apply_schema(Connection& c);

}  // namespace cocobase::server::sqlite
