#include "store/sqlite/doctor.hpp"

#include "store/sqlite/stored_json.hpp"

#include <cocobase/protocol/time.hpp>

namespace cocobase::server::sqlite {
namespace {

void keep_raw(Connection& c, const BadRow& row, std::string_view raw) {
  c.prepare("INSERT INTO quarantine(table_name, row_key, column_name, raw, quarantined_at) VALUES(?,?,?,?,?)")
      .bind(1, row.table).bind(2, row.key).bind(3, row.column).bind(4, raw).bind(5, protocol::now_timestamp()).run();
}

void check_documents(Connection& c, bool quarantine, std::vector<BadRow>& out) {
  auto st = c.prepare("SELECT rowid, project, collection, id, data FROM documents");
  std::vector<std::int64_t> doomed;
  while (st.step()) {
    if (is_decodable(st.text(4))) continue;
    BadRow row{"documents", std::string(st.text(1)) + "/" + std::string(st.text(2)) + "/" + std::string(st.text(3)), "data"};
    if (quarantine) keep_raw(c, row, st.text(4)), doomed.push_back(st.integer(0));
    out.push_back(std::move(row));
  }
  for (auto rowid : doomed) c.prepare("DELETE FROM documents WHERE rowid=?").bind(1, rowid).run();
}

void check_changelog(Connection& c, bool quarantine, std::vector<BadRow>& out) {
  auto st = c.prepare("SELECT rowid, project, collection, seq, data, old_data FROM changelog");
  std::vector<std::int64_t> doomed;
  while (st.step()) {
    bool data_ok = is_decodable(st.text(4));
    bool old_ok = st.is_null(5) || is_decodable(st.text(5));
    if (data_ok && old_ok) continue;
    BadRow row{"changelog",
               std::string(st.text(1)) + "/" + std::string(st.text(2)) + "#" + std::to_string(st.integer(3)),
               data_ok ? "old_data" : "data"};
    if (quarantine) keep_raw(c, row, data_ok ? st.text(5) : st.text(4)), doomed.push_back(st.integer(0));
    out.push_back(std::move(row));
  }
  for (auto rowid : doomed) c.prepare("DELETE FROM changelog WHERE rowid=?").bind(1, rowid).run();
}

void check_users(Connection& c, bool quarantine, std::vector<BadRow>& out) {
  auto st = c.prepare("SELECT rowid, project, id, data, roles FROM users");
  std::vector<std::pair<std::int64_t, const char*>> resets;
  while (st.step()) {
    std::string key = std::string(st.text(1)) + "/" + std::string(st.text(2));
    if (!is_decodable(st.text(3))) {
      BadRow row{"users", key, "data"};
      if (quarantine) keep_raw(c, row, st.text(3)), resets.emplace_back(st.integer(0), "data");
      out.push_back(std::move(row));
    }
    if (!is_decodable(st.text(4), true)) {
      BadRow row{"users", key, "roles"};
      if (quarantine) keep_raw(c, row, st.text(4)), resets.emplace_back(st.integer(0), "roles");
      out.push_back(std::move(row));
    }
  }
  for (auto [rowid, column] : resets) {
    if (column == std::string_view("data")) c.prepare("UPDATE users SET data='{}' WHERE rowid=?").bind(1, rowid).run();
    else c.prepare("UPDATE users SET roles='[]' WHERE rowid=?").bind(1, rowid).run();
  }
}

}  // namespace

std::vector<BadRow> check_stored_rows(Connection& c, bool quarantine) {
  std::vector<BadRow> out;
  Transaction txn(c, quarantine ? "BEGIN IMMEDIATE" : "BEGIN");
  check_documents(c, quarantine, out);
  check_changelog(c, quarantine, out);
  check_users(c, quarantine, out);
  txn.commit();
  return out;
}

}  // namespace cocobase::server::sqlite
