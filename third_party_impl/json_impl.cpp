// The one translation unit that compiles Boost.JSON (see CMakeLists.txt).
#include <boost/json/src.hpp>
