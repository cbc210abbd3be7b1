#include "store/sqlite/schema.hpp"

namespace cocobase::server::sqlite {

void apply_schema(Connection& c) {
  c.exec("PRAGMA journal_mode=WAL");
  c.exec(R"sql(
CREATE TABLE IF NOT EXISTS settings(
  key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS projects(
  id TEXT PRIMARY KEY, name TEXT NOT NULL, created_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS api_keys(
  key_id TEXT PRIMARY KEY,
  project TEXT NOT NULL REFERENCES projects(id),
  hash BLOB NOT NULL,
  created_at TEXT NOT NULL,
  revoked_at TEXT,
  admin INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS collections(
  project TEXT NOT NULL,
  name TEXT NOT NULL,
  id TEXT NOT NULL UNIQUE,
  created_at TEXT NOT NULL,
  head_seq INTEGER NOT NULL DEFAULT 0,
  floor_seq INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY(project, name));
-- Document ids are UUIDs unique across the server: one random-key index (the id), and an
-- append-mostly index per collection for listing. (A unique (project, collection, id) index
-- beside an id index cost a second random-key B-tree insert per create.)
CREATE TABLE IF NOT EXISTS documents(
  id TEXT PRIMARY KEY,
  project TEXT NOT NULL,
  collection TEXT NOT NULL,
  data TEXT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  owner_id TEXT NOT NULL DEFAULT '');
CREATE INDEX IF NOT EXISTS documents_by_collection ON documents(project, collection);
CREATE TABLE IF NOT EXISTS changelog(
  project TEXT NOT NULL,
  collection TEXT NOT NULL,
  seq INTEGER NOT NULL,
  kind INTEGER NOT NULL,
  doc_id TEXT NOT NULL,
  data TEXT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  old_data TEXT,
  old_updated_at TEXT,
  committed_ms INTEGER NOT NULL,
  owner_id TEXT NOT NULL DEFAULT '',
  UNIQUE(project, collection, seq));
CREATE TABLE IF NOT EXISTS rules(
  project TEXT NOT NULL,
  collection TEXT NOT NULL,
  read_rule TEXT NOT NULL,
  write_rule TEXT NOT NULL,
  PRIMARY KEY(project, collection));
CREATE TABLE IF NOT EXISTS users(
  project TEXT NOT NULL,
  id TEXT NOT NULL,
  email TEXT NOT NULL,
  password_hash TEXT NOT NULL,
  data TEXT NOT NULL,
  roles TEXT NOT NULL,
  phone_number TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  PRIMARY KEY(project, id),
  UNIQUE(project, email));
CREATE INDEX IF NOT EXISTS changelog_by_time ON changelog(committed_ms);
-- Rows that `cocobase doctor` took out because no read could decode them, kept verbatim.
CREATE TABLE IF NOT EXISTS quarantine(
  table_name TEXT NOT NULL,
  row_key TEXT NOT NULL,
  column_name TEXT NOT NULL,
  raw TEXT NOT NULL,
  quarantined_at TEXT NOT NULL);
)sql");
}

}  // namespace cocobase::server::sqlite
