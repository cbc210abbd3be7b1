// App users in the SQLite store. Emails arrive lower-cased, so UNIQUE(project, email) is the
// case-insensitive uniqueness of PROTOCOL 7.2.
#include "store/sqlite/sqlite_store.hpp"
#include "store/sqlite/stored_json.hpp"

namespace cocobase::server::sqlite {
namespace {

namespace json = protocol::json;


UserRecord row_to_user(Statement& st, const std::string& project) {
  UserRecord u;
  u.project = project;
  u.id = st.text(0);
  u.email = st.text(1);
  u.password_hash = st.text(2);
  // A user whose stored data cannot be decoded keeps its identity (it can still log in and
  // be repaired by an update); the damaged part reads as empty.
  u.data = decode_stored_object(st.text(3), "users row " + u.id).value_or(json::object{});
  u.roles = decode_stored_array(st.text(4), "users row " + u.id).value_or(json::array{});
  u.phone_number = st.is_null(5) ? "" : std::string(st.text(5));
  u.created_at = st.text(6);
  u.updated_at = st.text(7);
  return u;
}

bool is_unique_violation(const SqliteError& e) { return (e.code & 0xff) == SQLITE_CONSTRAINT; }

}  // namespace

UserWriteStatus SqliteStore::insert_user(const UserRecord& u) {
  std::lock_guard lock(admin_mutex_);
  auto st = admin_conn_->prepare(
      "INSERT INTO users(project, id, email, password_hash, data, roles, phone_number, created_at, updated_at)"
      " VALUES(?,?,?,?,?,?,?,?,?)");
  st.bind(1, u.project).bind(2, u.id).bind(3, u.email).bind(4, u.password_hash).bind(5, protocol::to_json(u.data))
      .bind(6, protocol::to_json(json::value(u.roles)));
  if (u.phone_number.empty()) st.bind_null(7);
  else st.bind(7, u.phone_number);
  st.bind(8, u.created_at).bind(9, u.updated_at);
  try {
    st.run();
  } catch (const SqliteError& e) {
    if (is_unique_violation(e)) return UserWriteStatus::email_taken;
    throw;
  }
  return UserWriteStatus::ok;
}

UserWriteStatus SqliteStore::update_user(const UserRecord& u) {
  std::lock_guard lock(admin_mutex_);
  auto st = admin_conn_->prepare(
      "UPDATE users SET email=?, password_hash=?, data=?, updated_at=? WHERE project=? AND id=?");
  st.bind(1, u.email).bind(2, u.password_hash).bind(3, protocol::to_json(u.data)).bind(4, u.updated_at)
      .bind(5, u.project).bind(6, u.id);
  try {
    st.run();
  } catch (const SqliteError& e) {
    if (is_unique_violation(e)) return UserWriteStatus::email_taken;
    throw;
  }
  return admin_conn_->changes() > 0 ? UserWriteStatus::ok : UserWriteStatus::not_found;
}

std::optional<UserRecord> SqliteStore::user_by_id(const std::string& project, const std::string& id) {
  auto c = lease_reader();
  auto st = c->prepare("SELECT id, email, password_hash, data, roles, phone_number, created_at, updated_at"
                       " FROM users WHERE project=? AND id=?");
  st.bind(1, project).bind(2, id);
  if (!st.step()) return std::nullopt;
  return row_to_user(st, project);
}

std::optional<UserRecord> SqliteStore::user_by_email(const std::string& project, const std::string& email) {
  auto c = lease_reader();
  auto st = c->prepare("SELECT id, email, password_hash, data, roles, phone_number, created_at, updated_at"
                       " FROM users WHERE project=? AND email=?");
  st.bind(1, project).bind(2, email);
  if (!st.step()) return std::nullopt;
  return row_to_user(st, project);
}

std::vector<UserRecord> SqliteStore::list_users(const std::string& project) {
  auto c = lease_reader();
  std::vector<UserRecord> out;
  auto st = c->prepare("SELECT id, email, password_hash, data, roles, phone_number, created_at, updated_at"
                       " FROM users WHERE project=?");
  st.bind(1, project);
  while (st.step()) out.push_back(row_to_user(st, project));
  return out;
}

}  // namespace cocobase::server::sqlite
