#include "realtime/send_batch.hpp"

#include <algorithm>
#include <vector>

namespace cocobase::server::realtime {

namespace {
thread_local int batch_depth = 0;
thread_local std::vector<SendBatch::Sink*> batch_sinks;
}  // namespace

SendBatch::SendBatch() { ++batch_depth; }

SendBatch::~SendBatch() {
  if (--batch_depth > 0) return;
  std::vector<Sink*> sinks;
  sinks.swap(batch_sinks);
  for (Sink* s : sinks) s->flush_batch();
}

bool SendBatch::open() { return batch_depth > 0; }

void SendBatch::flush_at_end(Sink& sink) {
  if (std::find(batch_sinks.begin(), batch_sinks.end(), &sink) == batch_sinks.end()) batch_sinks.push_back(&sink);
}

}  // namespace cocobase::server::realtime
