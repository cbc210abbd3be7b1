#pragma once
// How many HTTP connections the process's file descriptors allow (--http-max-connections).
#include <cstddef>

namespace cocobase::server::net {

// Descriptors kept back from the HTTP cap beyond those open at start: the store's pooled
// readers open theirs lazily (two each), each I/O thread has its reactor's, and an accept
// over the cap needs one to answer 503 instead of failing.
inline constexpr std::size_t kFdHeadroom = 64;

// Raises the soft RLIMIT_NOFILE to the hard one (as Redis raises it for maxclients) and
// returns the soft limit in force; 0 when it cannot be read.
std::size_t raise_fd_limit();
// Descriptors open now in this process; 0 when /proc is not there.
std::size_t open_fds();

// The connection cap in force: `configured`, clamped below `fd_limit` so that the descriptors
// in use at start and kFdHeadroom stay free (a cap above the limit would make the listener
// fail with EMFILE instead of answering 503). At least 1. `fd_limit` 0: not clamped.
std::size_t http_connection_cap(std::size_t configured, std::size_t fd_limit, std::size_t fds_in_use);

}  // namespace cocobase::server::net
