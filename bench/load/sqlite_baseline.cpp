#include "sqlite_baseline.hpp"

#include "store/sqlite/schema.hpp"
#include "store/sqlite/sqlite_db.hpp"

#include <cocobase/protocol/ids.hpp>
#include <cocobase/protocol/time.hpp>

#include <chrono>
#include <filesystem>

namespace cocobase::bench {

double sqlite_baseline_rows_per_sec(const std::string& path, std::uint64_t rows, std::uint64_t batch) {
  using namespace server::sqlite;
  std::filesystem::remove(path);
  std::filesystem::remove(path + "-wal");
  std::filesystem::remove(path + "-shm");
  Connection c(path, Connection::Mode::read_write);
  apply_schema(c);
  c.exec("PRAGMA synchronous=FULL");
  c.exec("INSERT INTO collections(project, name, id, created_at) VALUES('p','bench','x','t')");
  const std::string data = R"({"name":"user-123","age":30,"active":true})";
  auto start = std::chrono::steady_clock::now();
  std::int64_t seq = 0;
  for (std::uint64_t done = 0; done < rows;) {
    Transaction txn(c, "BEGIN IMMEDIATE");
    for (std::uint64_t i = 0; i < batch && done < rows; ++i, ++done) {
      std::string id = protocol::new_uuid_v4(), now = protocol::now_timestamp();
      c.prepare("INSERT INTO documents(id, project, collection, data, created_at, updated_at) VALUES(?,'p','bench',?,?,?)")
          .bind(1, id).bind(2, data).bind(3, now).bind(4, now).run();
      c.prepare("INSERT INTO changelog(project, collection, seq, kind, doc_id, data, created_at, updated_at, committed_ms)"
                " VALUES('p','bench',?,0,?,?,?,?,?)")
          .bind(1, ++seq).bind(2, id).bind(3, data).bind(4, now).bind(5, now).bind(6, protocol::now_unix_ms()).run();
    }
    c.prepare("UPDATE collections SET head_seq=? WHERE project='p' AND name='bench'").bind(1, seq).run();
    txn.commit();
  }
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return static_cast<double>(rows) / secs;
}

}  // namespace cocobase::bench
