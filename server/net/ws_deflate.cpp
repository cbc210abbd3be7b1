#include "net/ws_deflate.hpp"

#include <zlib.h>

#include <array>
#include <cstring>
#include <stdexcept>

namespace cocobase::server::net {
namespace {

constexpr char kTail[] = {'\x00', '\x00', '\xff', '\xff'};  // RFC 7692 7.2.1

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// One offer: "permessage-deflate; param[=value]; ...". nullopt when we cannot accept it.
std::optional<DeflateAgreement> accept_offer(std::string_view offer) {
  auto semi = offer.find(';');
  if (trim(offer.substr(0, semi)) != "permessage-deflate") return std::nullopt;
  DeflateAgreement a;
  bool client_nct = false, server_nct = false, server_bits = false, client_bits = false;
  while (semi != std::string_view::npos) {
    offer.remove_prefix(semi + 1);
    semi = offer.find(';');
    std::string_view param = trim(offer.substr(0, semi));
    auto eq = param.find('=');
    std::string_view name = trim(param.substr(0, eq));
    std::string_view value = eq == std::string_view::npos ? std::string_view{} : trim(param.substr(eq + 1));
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') value = value.substr(1, value.size() - 2);
    auto bits = [&]() -> int {
      if (value.empty() || value.size() > 2 || value.find_first_not_of("0123456789") != std::string_view::npos) return -1;
      int v = std::stoi(std::string(value));
      return v >= 8 && v <= 15 ? v : -1;
    };
    if (name == "client_no_context_takeover" && value.empty() && !client_nct) {
      client_nct = true;
    } else if (name == "server_no_context_takeover" && value.empty() && !server_nct) {
      server_nct = true;
    } else if (name == "server_max_window_bits" && !server_bits) {
      server_bits = true;
      a.server_window_bits = bits();
      // zlib's raw deflate cannot use a 256-byte window: decline rather than exceed it.
      if (a.server_window_bits < 9) return std::nullopt;
    } else if (name == "client_max_window_bits" && !client_bits) {
      client_bits = true;  // our inflater takes any window up to 15: nothing to answer
      if (!value.empty() && bits() < 0) return std::nullopt;
    } else {
      return std::nullopt;  // unknown or repeated parameter (7.1)
    }
  }
  a.response = "permessage-deflate; server_no_context_takeover";
  if (client_nct) a.response += "; client_no_context_takeover";
  if (server_bits) a.response += "; server_max_window_bits=" + std::to_string(a.server_window_bits);
  return a;
}

class Deflater {
 public:
  explicit Deflater(int window_bits) {
    if (deflateInit2(&z_, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -window_bits, 8, Z_DEFAULT_STRATEGY) != Z_OK)
      throw std::runtime_error("deflateInit2 failed");
  }
  ~Deflater() { deflateEnd(&z_); }
  Deflater(const Deflater&) = delete;
  Deflater& operator=(const Deflater&) = delete;

  std::string compress(std::string_view text) {
    std::string out;
    out.resize(deflateBound(&z_, text.size()) + 16);
    z_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
    z_.avail_in = static_cast<uInt>(text.size());
    z_.next_out = reinterpret_cast<Bytef*>(out.data());
    z_.avail_out = static_cast<uInt>(out.size());
    deflate(&z_, Z_SYNC_FLUSH);
    out.resize(out.size() - z_.avail_out);
    if (out.size() >= 4 && std::memcmp(out.data() + out.size() - 4, kTail, 4) == 0) out.resize(out.size() - 4);
    deflateReset(&z_);
    return out;
  }

 private:
  z_stream z_{};
};

}  // namespace

std::optional<DeflateAgreement> negotiate_deflate(std::string_view offers) {
  while (!offers.empty()) {
    auto comma = offers.find(',');
    if (auto a = accept_offer(offers.substr(0, comma))) return a;
    offers = comma == std::string_view::npos ? std::string_view{} : offers.substr(comma + 1);
  }
  return std::nullopt;
}

struct WsInflater::Stream {
  z_stream z{};
};

WsInflater::WsInflater() : stream_(std::make_unique<Stream>()) {
  if (inflateInit2(&stream_->z, -15) != Z_OK) throw std::runtime_error("inflateInit2 failed");
}

WsInflater::~WsInflater() { inflateEnd(&stream_->z); }

void WsInflater::reset() { inflateReset(&stream_->z); }

WsInflater::Result WsInflater::inflate(std::string_view compressed, std::size_t limit, std::string& out) {
  z_stream& z = stream_->z;
  std::array<char, 16 * 1024> chunk;
  for (std::string_view part : {compressed, std::string_view(kTail, 4)}) {
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(part.data()));
    z.avail_in = static_cast<uInt>(part.size());
    do {
      z.next_out = reinterpret_cast<Bytef*>(chunk.data());
      z.avail_out = static_cast<uInt>(chunk.size());
      int rc = ::inflate(&z, Z_SYNC_FLUSH);
      if (rc != Z_OK && rc != Z_BUF_ERROR && rc != Z_STREAM_END) return Result::corrupt;
      out.append(chunk.data(), chunk.size() - z.avail_out);
      if (out.size() > limit) return Result::too_large;
      if (rc == Z_STREAM_END) inflateReset(&z);  // a final block (BFINAL) ends that context
      if (rc == Z_BUF_ERROR) break;              // all input used, all output given
    } while (z.avail_in > 0 || z.avail_out == 0);
  }
  return Result::ok;
}

std::string deflate_message(std::string_view text, int window_bits) {
  thread_local std::array<std::unique_ptr<Deflater>, 16> by_window;
  auto& d = by_window[static_cast<std::size_t>(window_bits)];
  if (!d) d = std::make_unique<Deflater>(window_bits);
  return d->compress(text);
}

}  // namespace cocobase::server::net
