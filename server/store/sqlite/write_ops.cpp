#include "store/sqlite/write_ops.hpp"

#include "store/sqlite/stored_json.hpp"

#include <cocobase/protocol/ids.hpp>
#include <cocobase/protocol/time.hpp>

namespace cocobase::server::sqlite {
namespace {

namespace json = protocol::json;

struct CollectionRow {
  std::string id;
  std::uint64_t head_seq = 0;
};

std::optional<CollectionRow> find_collection(Connection& c, const std::string& project, const std::string& name) {
  auto st = c.prepare("SELECT id, head_seq FROM collections WHERE project=? AND name=?");
  st.bind(1, project).bind(2, name);
  if (!st.step()) return std::nullopt;
  return CollectionRow{std::string(st.text(0)), static_cast<std::uint64_t>(st.integer(1))};
}

CollectionRow ensure_collection(Connection& c, const std::string& project, const std::string& name,
                                const std::string& now) {
  if (auto row = find_collection(c, project, name)) return *row;
  CollectionRow row{protocol::new_uuid_v4(), 0};
  c.prepare("INSERT INTO collections(project, name, id, created_at) VALUES(?,?,?,?)")
      .bind(1, project).bind(2, name).bind(3, row.id).bind(4, now).run();
  return row;
}

void store_head(Connection& c, const std::string& project, const std::string& name, std::uint64_t head) {
  c.prepare("UPDATE collections SET head_seq=? WHERE project=? AND name=?")
      .bind(1, static_cast<std::int64_t>(head)).bind(2, project).bind(3, name).run();
}

void append_changelog(Connection& c, const ChangeEvent& e, const std::string& data_json) {
  auto st = c.prepare(
      "INSERT INTO changelog(project, collection, seq, kind, doc_id, data, created_at, updated_at,"
      " old_data, old_updated_at, committed_ms, owner_id) VALUES(?,?,?,?,?,?,?,?,?,?,?,?)");
  st.bind(1, e.project).bind(2, e.document.collection).bind(3, static_cast<std::int64_t>(e.seq))
      .bind(4, static_cast<std::int64_t>(e.kind)).bind(5, e.document.id).bind(6, data_json)
      .bind(7, e.document.created_at).bind(8, e.document.updated_at);
  if (e.old_data) st.bind(9, protocol::to_json(*e.old_data)).bind(10, e.old_updated_at);
  else st.bind_null(9).bind_null(10);
  st.bind(11, e.committed_unix_ms).bind(12, e.owner_id).run();
}

std::shared_ptr<ChangeEvent> new_event(const std::string& project, ChangeKind kind, std::uint64_t seq,
                                       std::int64_t now_ms) {
  auto e = std::make_shared<ChangeEvent>();
  e->project = project;
  e->kind = kind;
  e->seq = seq;
  e->committed_unix_ms = now_ms;
  return e;
}

// The document, or nullopt when missing or (with required_owner) owned by someone else.
std::optional<protocol::Document> load_document(Connection& c, const std::string& project,
                                                const std::string& collection, const CollectionRow& col,
                                                const std::string& id, const std::optional<std::string>& required_owner,
                                                std::string& owner_out, bool for_delete) {
  auto st = c.prepare(
      "SELECT data, created_at, updated_at, owner_id FROM documents WHERE project=? AND collection=? AND id=?");
  st.bind(1, project).bind(2, collection).bind(3, id);
  if (!st.step()) return std::nullopt;
  owner_out = st.text(3);
  if (required_owner && *required_owner != owner_out) return std::nullopt;
  protocol::Document d;
  d.id = id;
  d.collection = collection;
  d.collection_id = col.id;
  // A row that cannot be decoded can still be deleted (its data reads as {}), so that an app
  // can remove it without `cocobase doctor`; an update of it fails (nothing to merge into).
  auto data = decode_stored_object(st.text(0), "documents row " + id);
  if (!data && !for_delete) throw UndecodableRow("document " + id + " cannot be decoded");
  d.data = data ? std::move(*data) : json::object{};
  d.created_at = st.text(1);
  d.updated_at = st.text(2);
  return d;
}

// The parser refuses non-finite numbers; the writer checks again because a stored inf is
// written out as `inf`, which no later read could decode (issue #12, finding 1).
bool finite_numbers(const json::object& data) {
  for (const auto& m : data)
    if (!protocol::all_numbers_finite(m.value())) return false;
  return true;
}

WriteResult invalid_data() {
  WriteResult r;
  r.status = WriteStatus::invalid_data;
  return r;
}

WriteResult create_documents(Connection& c, const CreateDocuments& w, std::vector<ChangeEventPtr>& events) {
  WriteResult r;
  if (w.data.empty()) {
    auto col = find_collection(c, w.project, w.collection);
    r.seq = col ? col->head_seq : 0;
    return r;
  }
  std::string now = protocol::now_timestamp();
  std::int64_t now_ms = protocol::now_unix_ms();
  CollectionRow col = ensure_collection(c, w.project, w.collection, now);
  for (const auto& data : w.data) {
    auto e = new_event(w.project, ChangeKind::create, ++col.head_seq, now_ms);
    e->owner_id = w.owner_id;
    protocol::Document& d = e->document;
    d.id = protocol::new_uuid_v4();
    d.collection = w.collection;
    d.collection_id = col.id;
    d.data = data;
    d.created_at = d.updated_at = now;
    if (!finite_numbers(d.data)) return invalid_data();
    std::string data_json = protocol::to_json(d.data);
    c.prepare("INSERT INTO documents(project, collection, id, data, created_at, updated_at, owner_id) VALUES(?,?,?,?,?,?,?)")
        .bind(1, w.project).bind(2, w.collection).bind(3, d.id).bind(4, data_json).bind(5, now).bind(6, now)
        .bind(7, w.owner_id).run();
    append_changelog(c, *e, data_json);
    r.documents.push_back(d);
    events.push_back(std::move(e));
  }
  store_head(c, w.project, w.collection, col.head_seq);
  r.seq = col.head_seq;
  return r;
}

WriteResult not_found(const std::string& id) {
  WriteResult r;
  r.status = WriteStatus::not_found;
  r.missing_id = id;
  return r;
}

WriteResult update_documents(Connection& c, const UpdateDocuments& w, std::vector<ChangeEventPtr>& events) {
  WriteResult r;
  auto col = find_collection(c, w.project, w.collection);
  if (!col) return w.patches.empty() ? r : not_found(w.patches.front().first);
  std::string now = protocol::now_timestamp();
  std::int64_t now_ms = protocol::now_unix_ms();
  for (const auto& [id, patch] : w.patches) {
    std::string owner;
    auto before = load_document(c, w.project, w.collection, *col, id, w.required_owner, owner, false);
    if (!before) return not_found(id);
    auto e = new_event(w.project, ChangeKind::update, ++col->head_seq, now_ms);
    e->owner_id = owner;
    e->old_data = before->data;
    e->old_updated_at = before->updated_at;
    protocol::Document& d = e->document;
    d = std::move(*before);
    for (const auto& m : patch) d.data[m.key()] = m.value();  // shallow merge; new members appended
    // updated_at never goes backwards, even if the wall clock does.
    d.updated_at = std::max(now, d.updated_at);
    if (!finite_numbers(d.data)) return invalid_data();
    std::string data_json = protocol::to_json(d.data);
    if (w.max_data_bytes && data_json.size() > w.max_data_bytes) {
      WriteResult too_large;
      too_large.status = WriteStatus::too_large;
      too_large.missing_id = id;
      return too_large;
    }
    c.prepare("UPDATE documents SET data=?, updated_at=? WHERE project=? AND collection=? AND id=?")
        .bind(1, data_json).bind(2, d.updated_at).bind(3, w.project).bind(4, w.collection).bind(5, id).run();
    append_changelog(c, *e, data_json);
    r.documents.push_back(d);
    events.push_back(std::move(e));
  }
  store_head(c, w.project, w.collection, col->head_seq);
  r.seq = col->head_seq;
  return r;
}

WriteResult delete_documents(Connection& c, const DeleteDocuments& w, std::vector<ChangeEventPtr>& events) {
  WriteResult r;
  auto col = find_collection(c, w.project, w.collection);
  if (!col) {
    if (w.missing_is_error && !w.ids.empty()) return not_found(w.ids.front());
    return r;
  }
  std::int64_t now_ms = protocol::now_unix_ms();
  for (const auto& id : w.ids) {
    std::string owner;
    auto before = load_document(c, w.project, w.collection, *col, id, w.required_owner, owner, true);
    if (!before) {
      if (w.missing_is_error) return not_found(id);
      continue;
    }
    auto e = new_event(w.project, ChangeKind::del, ++col->head_seq, now_ms);
    e->owner_id = owner;
    e->document = std::move(*before);
    c.prepare("DELETE FROM documents WHERE project=? AND collection=? AND id=?")
        .bind(1, w.project).bind(2, w.collection).bind(3, id).run();
    append_changelog(c, *e, protocol::to_json(e->document.data));
    r.documents.push_back(e->document);
    events.push_back(std::move(e));
  }
  store_head(c, w.project, w.collection, col->head_seq);
  r.seq = col->head_seq;
  return r;
}

WriteResult create_collection(Connection& c, const CreateCollection& w) {
  WriteResult r;
  if (auto existing = find_collection(c, w.project, w.collection)) {
    r.status = WriteStatus::already_exists;
    r.seq = existing->head_seq;
    return r;
  }
  std::string now = protocol::now_timestamp();
  CollectionRow row = ensure_collection(c, w.project, w.collection, now);
  r.collection = CollectionInfo{row.id, w.collection, now, 0};
  return r;
}

}  // namespace

WriteResult apply_write(Connection& c, const WriteRequest& request, std::vector<ChangeEventPtr>& events) {
  return std::visit(
      [&](const auto& w) -> WriteResult {
        using T = std::decay_t<decltype(w)>;
        if constexpr (std::is_same_v<T, CreateDocuments>) return create_documents(c, w, events);
        else if constexpr (std::is_same_v<T, UpdateDocuments>) return update_documents(c, w, events);
        else if constexpr (std::is_same_v<T, DeleteDocuments>) return delete_documents(c, w, events);
        else return create_collection(c, w);
      },
      request);
}

}  // namespace cocobase::server::sqlite
