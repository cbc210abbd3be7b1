#pragma once
// Sorting of PROTOCOL 4.10.
#include <cocobase/protocol/document.hpp>
#include <cocobase/protocol/filter.hpp>
#include <cocobase/protocol/json.hpp>

#include <vector>

namespace cocobase::protocol {

// Total order for the ascending sort of two present, non-null values: numbers (numerically,
// exactly even across int64/uint64/double) < strings (bytewise) < booleans (false < true) <
// arrays and objects (by compact JSON text). Returns <0, 0, >0. A null argument sorts after
// everything (callers normally handle null/missing themselves).
int compare_sort_values(const json::value& a, const json::value& b);

enum class SortOrder { asc, desc };

// Sorts by a path (metadata names allowed). Missing and null values come last in both
// directions; ties are broken by created_at, then id, in the chosen direction. Stable.
// When no sort is requested, callers pass Path{"created_at"}.
void sort_documents(std::vector<Document>& docs, const Path& path, SortOrder order);

}  // namespace cocobase::protocol
