#pragma once
// The connections a fan-out delivers to, stored contiguously: a fan-out walks an array
// instead of chasing hash-map nodes (measured on the broadcast fan-out, docs/benchmarks.md).
// Not thread-safe: the owner's lock guards it.
#include "realtime/connection.hpp"

#include <cstddef>
#include <memory>
#include <unordered_map>
#include <vector>

namespace cocobase::server::realtime {

class MemberList {
 public:
  // False when `key` is already a member.
  bool add(const Connection* key, std::weak_ptr<Connection> conn) {
    if (!index_.emplace(key, members_.size()).second) return false;
    members_.push_back(Member{key, std::move(conn)});
    return true;
  }

  // Order is not kept: the last member takes the removed one's place.
  bool remove(const Connection* key) {
    auto it = index_.find(key);
    if (it == index_.end()) return false;
    std::size_t at = it->second;
    index_.erase(it);
    if (at + 1 != members_.size()) {
      members_[at] = std::move(members_.back());
      index_[members_[at].key] = at;
    }
    members_.pop_back();
    return true;
  }

  bool empty() const { return members_.empty(); }
  std::size_t size() const { return members_.size(); }

  // Calls f(connection) for every member still alive.
  template <class F>
  void for_each(F&& f) const {
    for (const auto& m : members_)
      if (auto c = m.conn.lock()) f(*c);
  }

 private:
  struct Member {
    const Connection* key;
    std::weak_ptr<Connection> conn;
  };
  std::vector<Member> members_;
  std::unordered_map<const Connection*, std::size_t> index_;
};

}  // namespace cocobase::server::realtime
