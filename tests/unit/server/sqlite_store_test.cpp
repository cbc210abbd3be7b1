#include "store/sqlite/sqlite_store.hpp"
#include "store/sqlite/doctor.hpp"
#include "store/sqlite/stored_json.hpp"

#include "../../../testing/temp_dir.hpp"

#include <gtest/gtest.h>

#include <future>
#include <thread>

using namespace cocobase;
using namespace cocobase::server;
namespace json = protocol::json;

namespace {

class SqliteStoreTest : public ::testing::Test {
 protected:
  void SetUp() override { open(); }

  void open(std::int64_t max_events = 100000) {
    store_.reset();
    sqlite::SqliteStoreOptions o;
    o.path = dir_.file("db.sqlite");
    o.changelog_max_events = max_events;
    store_ = std::make_unique<sqlite::SqliteStore>(o);
    store_->set_change_sink([this](const ChangeEventPtr& e) {
      std::lock_guard lock(events_mutex_);
      events_.push_back(e);
    });
  }

  WriteResult write(WriteRequest r) {
    std::promise<WriteResult> p;
    auto f = p.get_future();
    store_->submit(std::move(r), [&p](WriteResult res) { p.set_value(std::move(res)); });
    return f.get();
  }

  WriteResult create(const std::string& collection, std::vector<json::object> data) {
    return write(CreateDocuments{"p", collection, std::move(data), ""});
  }

  std::vector<ChangeEventPtr> events() {
    std::lock_guard lock(events_mutex_);
    return events_;
  }

  cocobase::testing::TempDir dir_;
  std::unique_ptr<sqlite::SqliteStore> store_;
  std::mutex events_mutex_;
  std::vector<ChangeEventPtr> events_;
};

TEST_F(SqliteStoreTest, WritesGetDenseSeqsAndEventsAfterCommit) {
  auto c = create("users", {{{"name", "a"}}, {{"name", "b"}}});
  ASSERT_EQ(c.status, WriteStatus::ok);
  ASSERT_EQ(c.documents.size(), 2u);
  EXPECT_EQ(c.seq, 2u);
  auto id = c.documents[0].id;
  auto u = write(UpdateDocuments{"p", "users", {{id, {{"age", 3}}}}, 0, std::nullopt});
  ASSERT_EQ(u.status, WriteStatus::ok);
  EXPECT_EQ(u.seq, 3u);
  EXPECT_EQ(protocol::to_json(u.documents[0].data), R"({"name":"a","age":3})");
  auto d = write(DeleteDocuments{"p", "users", {id}, true, std::nullopt});
  EXPECT_EQ(d.seq, 4u);

  auto ev = events();
  ASSERT_EQ(ev.size(), 4u);
  for (std::size_t i = 0; i < ev.size(); ++i) EXPECT_EQ(ev[i]->seq, i + 1);
  EXPECT_EQ(ev[2]->kind, ChangeKind::update);
  ASSERT_TRUE(ev[2]->old_data);
  EXPECT_EQ(protocol::to_json(*ev[2]->old_data), R"({"name":"a"})");
  EXPECT_EQ(ev[3]->kind, ChangeKind::del);
  EXPECT_EQ(ev[3]->document.id, id);
  EXPECT_EQ(store_->read_collection("p", "users").head_seq, 4u);
}

TEST_F(SqliteStoreTest, FailedWriteRollsBackAloneAndConsumesNoSeq) {
  create("c", {{{"n", 1}}});
  auto existing = store_->read_collection("p", "c").documents.at(0).id;
  // A batch update naming a missing id changes nothing, not even the existing document.
  auto r = write(UpdateDocuments{"p", "c", {{existing, {{"n", 2}}}, {"missing", {{"n", 3}}}}, 0, std::nullopt});
  EXPECT_EQ(r.status, WriteStatus::not_found);
  EXPECT_EQ(r.missing_id, "missing");
  auto snap = store_->read_collection("p", "c");
  EXPECT_EQ(snap.head_seq, 1u);
  EXPECT_EQ(snap.documents.at(0).data.at("n").as_int64(), 1);
  EXPECT_EQ(create("c", {{{"n", 4}}}).seq, 2u);
  EXPECT_EQ(events().size(), 2u);
}

TEST_F(SqliteStoreTest, ConcurrentWritersAllCommitWithDenseSeqsInOrder) {
  constexpr int kThreads = 8, kPerThread = 50;
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i)
        if (create("c", {{{"t", t}, {"i", i}}}).status == WriteStatus::ok) ++ok;
    });
  for (auto& th : threads) th.join();
  EXPECT_EQ(ok.load(), kThreads * kPerThread);
  auto ev = events();
  ASSERT_EQ(ev.size(), static_cast<std::size_t>(kThreads * kPerThread));
  for (std::size_t i = 0; i < ev.size(); ++i) ASSERT_EQ(ev[i]->seq, i + 1);
  EXPECT_EQ(store_->read_collection("p", "c").documents.size(), ev.size());
}

TEST_F(SqliteStoreTest, DataAndSeqsSurviveReopen) {
  create("c", {{{"n", 1}}, {{"n", 2}}});
  open();
  auto snap = store_->read_collection("p", "c");
  EXPECT_EQ(snap.head_seq, 2u);
  EXPECT_EQ(snap.documents.size(), 2u);
  EXPECT_EQ(create("c", {{{"n", 3}}}).seq, 3u);
}

TEST_F(SqliteStoreTest, ChangeLogReplaysAndPrunesByCount) {
  open(/*max_events=*/5);
  for (int i = 0; i < 10; ++i) create("c", {{{"i", i}}});
  auto all = store_->read_changelog("p", "c", 0, 100, SIZE_MAX);
  EXPECT_EQ(all.head_seq, 10u);
  EXPECT_EQ(all.floor_seq, 0u);
  ASSERT_EQ(all.events.size(), 10u);
  EXPECT_EQ(all.events[3]->seq, 4u);
  EXPECT_EQ(all.events[3]->document.data.at("i").as_int64(), 3);

  store_->prune_changelog_now();
  auto pruned = store_->read_changelog("p", "c", 0, 100, SIZE_MAX);
  EXPECT_EQ(pruned.floor_seq, 5u);
  ASSERT_EQ(pruned.events.size(), 5u);
  EXPECT_EQ(pruned.events.front()->seq, 6u);
  // Pruning never touches documents.
  EXPECT_EQ(store_->read_collection("p", "c").documents.size(), 10u);
}

TEST_F(SqliteStoreTest, ProjectsAreIsolated) {
  write(CreateDocuments{"a", "c", {{{"x", 1}}}, ""});
  auto b = write(CreateDocuments{"b", "c", {{{"x", 2}}}, ""});
  auto id_b = b.documents.at(0).id;
  EXPECT_FALSE(store_->read_document("a", "c", id_b).document);
  EXPECT_EQ(write(DeleteDocuments{"a", "c", {id_b}, true, std::nullopt}).status, WriteStatus::not_found);
  EXPECT_EQ(store_->read_collection("a", "c").documents.size(), 1u);
  EXPECT_EQ(store_->read_collection("b", "c").head_seq, 1u);
}

TEST_F(SqliteStoreTest, CreateCollectionTwiceIsAConflict) {
  EXPECT_EQ(write(CreateCollection{"p", "x"}).status, WriteStatus::ok);
  EXPECT_EQ(write(CreateCollection{"p", "x"}).status, WriteStatus::already_exists);
  EXPECT_EQ(store_->list_collections("p").size(), 1u);
}

}  // namespace

namespace {

TEST_F(SqliteStoreTest, UpdateRefusedWhenTheMergedDataIsTooLarge) {
  auto id = create("c", {{{"a", std::string(60, 'x')}}}).documents.at(0).id;
  UpdateDocuments w{"p", "c", {{id, {{"b", std::string(60, 'y')}}}}, 100, std::nullopt};
  auto r = write(std::move(w));
  EXPECT_EQ(r.status, WriteStatus::too_large);
  EXPECT_EQ(r.missing_id, id);
  auto doc = store_->read_document("p", "c", id).document;
  ASSERT_TRUE(doc);
  EXPECT_FALSE(doc->data.contains("b"));
  EXPECT_EQ(store_->read_collection("p", "c").head_seq, 1u);
}


// Issue #12, finding 1: an older version stored `{"n":inf}`. Reads skip such a row (counted)
// instead of throwing a non-std exception that ended the process.
TEST_F(SqliteStoreTest, UndecodableRowsAreSkippedCountedAndQuarantined) {
  auto good = create("c", {{{"n", 1}}}).documents.at(0).id;
  auto bad = create("c", {{{"n", 2}}}).documents.at(0).id;
  {
    sqlite::Connection raw(dir_.file("db.sqlite"), sqlite::Connection::Mode::read_write);
    raw.prepare("UPDATE documents SET data='{\"n\":inf}' WHERE id=?").bind(1, bad).run();
    raw.prepare("UPDATE changelog SET data='not json' WHERE seq=2").run();
  }
  auto before = sqlite::undecodable_rows();
  auto snap = store_->read_collection("p", "c");
  ASSERT_EQ(snap.documents.size(), 1u);
  EXPECT_EQ(snap.documents[0].id, good);
  EXPECT_EQ(snap.owners.size(), 1u);
  EXPECT_THROW(store_->read_document("p", "c", bad), sqlite::UndecodableRow);
  EXPECT_FALSE(store_->document_by_id("p", bad).document.has_value());
  auto log = store_->read_changelog("p", "c", 0, 100, SIZE_MAX);
  ASSERT_EQ(log.events.size(), 1u);
  EXPECT_EQ(log.events[0]->seq, 1u);
  EXPECT_GE(sqlite::undecodable_rows() - before, 4u);
  EXPECT_EQ(store_->stats().undecodable_rows, sqlite::undecodable_rows());

  // An update of the row fails alone; a delete removes it.
  EXPECT_EQ(write(UpdateDocuments{"p", "c", {{bad, {{"n", 3}}}}, 0, std::nullopt}).status, WriteStatus::failed);
  sqlite::Connection doctor(dir_.file("db.sqlite"), sqlite::Connection::Mode::read_write);
  auto found = sqlite::check_stored_rows(doctor, false);
  ASSERT_EQ(found.size(), 2u);
  EXPECT_EQ(found[0].table, "documents");
  EXPECT_EQ(found[0].key, "p/c/" + bad);
  EXPECT_EQ(found[1].table, "changelog");
  EXPECT_EQ(found[1].key, "p/c#2");
  EXPECT_EQ(sqlite::check_stored_rows(doctor, true).size(), 2u);
  EXPECT_TRUE(sqlite::check_stored_rows(doctor, false).empty());
  auto st = doctor.prepare("SELECT raw FROM quarantine WHERE table_name='documents'");
  ASSERT_TRUE(st.step());
  EXPECT_EQ(st.text(0), R"({"n":inf})");
  EXPECT_FALSE(store_->read_document("p", "c", bad).document.has_value());
  EXPECT_EQ(store_->read_collection("p", "c").documents.size(), 1u);
}

TEST_F(SqliteStoreTest, WriterRefusesNonFiniteNumbers) {
  json::object data{{"n", std::numeric_limits<double>::infinity()}};
  EXPECT_EQ(create("c", {data}).status, WriteStatus::invalid_data);
  auto id = create("c", {{{"n", 1}}}).documents.at(0).id;
  json::object patch{{"m", json::array{1, std::numeric_limits<double>::quiet_NaN()}}};
  EXPECT_EQ(write(UpdateDocuments{"p", "c", {{id, patch}}, 0, std::nullopt}).status, WriteStatus::invalid_data);
  EXPECT_EQ(store_->read_collection("p", "c").documents.size(), 1u);
  EXPECT_EQ(store_->read_document("p", "c", id).document->data.size(), 1u);
}

// A resume pages through the log holding a bounded window (issue #12, finding 3).
TEST_F(SqliteStoreTest, ChangeLogReadsStopAtTheByteBudget) {
  for (int i = 0; i < 10; ++i) create("c", {{{"s", std::string(100, 'x')}}});
  auto one = store_->read_changelog("p", "c", 0, 100, 1);  // at least one entry
  ASSERT_EQ(one.events.size(), 1u);
  EXPECT_EQ(one.head_seq, 10u);
  auto some = store_->read_changelog("p", "c", 3, 100, 250);  // ~110 bytes each
  ASSERT_EQ(some.events.size(), 3u);
  EXPECT_EQ(some.events.front()->seq, 4u);
  auto bounds = store_->read_changelog("p", "c", 0, 0, 0);
  EXPECT_TRUE(bounds.events.empty());
  EXPECT_EQ(bounds.head_seq, 10u);
}

}  // namespace
