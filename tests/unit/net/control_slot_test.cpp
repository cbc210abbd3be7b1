// ControlSlot: a new pong replaces the queued one only while that one has not begun to be
// written, and forgets it once the queue is cut or cleared.
#include "net/control_slot.hpp"

#include <gtest/gtest.h>

namespace cocobase::server::net {
namespace {

constexpr auto npos = ControlSlot::npos;

TEST(ControlSlot, NothingQueuedNothingToReplace) {
  ControlSlot slot;
  EXPECT_EQ(slot.replaceable(0, 0), npos);
}

TEST(ControlSlot, UnsentFrameIsReplaceable) {
  ControlSlot slot;
  slot.queued(3);
  EXPECT_EQ(slot.replaceable(0, 0), 3u);
  EXPECT_EQ(slot.replaceable(2, 17), 3u);  // an earlier frame is midway: ours has not begun
  EXPECT_EQ(slot.replaceable(3, 0), 3u);   // ours is next, not begun
}

TEST(ControlSlot, PartlyOrWhollyWrittenFrameIsNot) {
  ControlSlot slot;
  slot.queued(3);
  EXPECT_EQ(slot.replaceable(3, 1), npos);  // midway: must be finished as it is
  EXPECT_EQ(slot.replaceable(4, 0), npos);  // written
}

TEST(ControlSlot, ManyPingsOweOnePong) {
  // What the session does per ping: replace while replaceable, else append.
  ControlSlot slot;
  std::size_t queue = 0, head = 0;
  for (int ping = 0; ping < 1000; ++ping) {
    if (slot.replaceable(head, 0) == npos) slot.queued(queue++);
  }
  EXPECT_EQ(queue, 1u);
  head = 1;  // that pong was written; the next ping is owed a new one
  if (slot.replaceable(head, 0) == npos) slot.queued(queue++);
  EXPECT_EQ(queue, 2u);
  EXPECT_EQ(slot.replaceable(head, 0), 1u);
}

TEST(ControlSlot, TruncationForgetsDroppedIndexes) {
  ControlSlot slot;
  slot.queued(5);
  slot.truncated(6);  // cut after it: still queued
  EXPECT_EQ(slot.replaceable(0, 0), 5u);
  slot.truncated(5);  // cut at it: dropped
  EXPECT_EQ(slot.replaceable(0, 0), npos);
  slot.queued(0);
  slot.truncated(0);  // cleared: index 0 will be another frame
  EXPECT_EQ(slot.replaceable(0, 0), npos);
}

}  // namespace
}  // namespace cocobase::server::net
