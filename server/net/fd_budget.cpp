#include "net/fd_budget.hpp"

#include <sys/resource.h>

#include <algorithm>
#include <filesystem>
#include <system_error>

namespace cocobase::server::net {

std::size_t raise_fd_limit() {
  rlimit lim{};
  if (getrlimit(RLIMIT_NOFILE, &lim) != 0) return 0;
  if (lim.rlim_cur < lim.rlim_max) {
    rlimit raised = lim;
    raised.rlim_cur = lim.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &raised) == 0) lim = raised;
  }
  if (lim.rlim_cur == RLIM_INFINITY) return 0;
  return static_cast<std::size_t>(lim.rlim_cur);
}

std::size_t open_fds() {
  std::error_code ec;
  std::size_t n = 0;
  for (std::filesystem::directory_iterator it("/proc/self/fd", ec), end; !ec && it != end; it.increment(ec)) ++n;
  return ec ? 0 : n;
}

std::size_t http_connection_cap(std::size_t configured, std::size_t fd_limit, std::size_t fds_in_use) {
  std::size_t cap = configured;
  if (fd_limit > 0) {
    std::size_t reserve = fds_in_use + kFdHeadroom;
    cap = std::min(cap, fd_limit > reserve ? fd_limit - reserve : 0);
  }
  return std::max<std::size_t>(cap, 1);
}

}  // namespace cocobase::server::net
