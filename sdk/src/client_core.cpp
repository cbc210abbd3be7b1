#include "client_core.hpp"

namespace cocobase::detail {

ClientCore::ClientCore(ClientConfig config)
    : config_(std::move(config)),
      base_(parse_base_url(config_.base_url)),
      token_(config_.token),
      use_jwt_(config_.use_jwt),
      http_(base_, config_.request_timeout) {}

ClientCore::~ClientCore() = default;

}  // namespace cocobase::detail
