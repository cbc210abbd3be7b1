#pragma once
// `cocobase doctor`: finds stored rows that no read can decode (stored_json.hpp) and, when
// asked, moves them out of the way. Reads already skip such rows; the doctor makes the skip
// permanent and keeps the raw text, so nothing is lost and the logs go quiet.
#include "store/sqlite/sqlite_db.hpp"

#include <string>
#include <vector>

namespace cocobase::server::sqlite {

struct BadRow {
  std::string table;   // documents, changelog or users
  std::string key;     // documents: project/collection/id; changelog: project/collection#seq; users: project/id
  std::string column;  // the column that cannot be decoded
};

// Every undecodable row. With quarantine, in one transaction: the raw text goes to the
// `quarantine` table; documents and change-log rows are deleted; a user keeps its identity
// and the damaged column is reset ({} or []).
std::vector<BadRow> check_stored_rows(Connection& c, bool quarantine);

}  // namespace cocobase::server::sqlite
