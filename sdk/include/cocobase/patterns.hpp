#pragma once
// Helpers for the patterns realtime apps keep rewriting on top of the SDK's callbacks (the Go
// SDK's "advanced patterns"). Each is standard C++ only and usable on its own; each header
// states its threading contract.
//
//   Debouncer     one call after a burst of triggers settles          patterns/debouncer.hpp
//   Batcher<T>    items grouped by count or age, handed over together  patterns/batcher.hpp
//   FanOut<T>     one publisher, many RAII subscribers                 patterns/fan_out.hpp
#include <cocobase/patterns/batcher.hpp>
#include <cocobase/patterns/debouncer.hpp>
#include <cocobase/patterns/fan_out.hpp>
