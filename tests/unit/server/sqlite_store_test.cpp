#include "store/sqlite/sqlite_store.hpp"

#include <gtest/gtest.h>

TEST(Placeholder, Builds) { SUCCEED(); }
