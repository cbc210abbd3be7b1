// App users (PROTOCOL 7): signup, login, current user, listing. Password hashing runs on the
// blocking pool, never on an I/O thread.
#include "api/handlers.hpp"
#include "auth/passwords.hpp"

#include <cocobase/protocol/filter.hpp>
#include <cocobase/protocol/ids.hpp>
#include <cocobase/protocol/select.hpp>
#include <cocobase/protocol/sort.hpp>
#include <cocobase/protocol/time.hpp>

#include <charconv>

namespace cocobase::server::api {
namespace {

namespace json = protocol::json;

constexpr std::size_t kMaxPasswordBytes = 1024;

// Paths into a user: id, email, created_at, updated_at, roles are the record; the rest is data.
class UserFieldSource final : public protocol::FieldSource {
 public:
  explicit UserFieldSource(const UserRecord& u)
      : u_(u), id_(u.id), email_(u.email), created_(u.created_at), updated_(u.updated_at), roles_(u.roles) {}
  const json::value* top(std::string_view name) const override {
    if (name == "id") return &id_;
    if (name == "email") return &email_;
    if (name == "created_at") return &created_;
    if (name == "updated_at") return &updated_;
    if (name == "roles") return &roles_;
    auto it = u_.data.find(name);
    return it == u_.data.end() ? nullptr : &it->value();
  }

 private:
  const UserRecord& u_;
  json::value id_, email_, created_, updated_, roles_;
};

json::object user_json(const UserRecord& u, const json::object* data_override = nullptr) {
  json::object o{{"id", u.id}, {"email", u.email}, {"data", data_override ? *data_override : u.data},
                 {"roles", u.roles}, {"client_id", u.project}, {"created_at", u.created_at},
                 {"updated_at", u.updated_at}};
  if (!u.phone_number.empty()) o["phone_number"] = u.phone_number;
  return o;
}

std::string lower_ascii(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

// ^[^@\s]+@[^@\s]+\.[^@\s]+$
bool is_valid_email(std::string_view e) {
  auto at = e.find('@');
  if (at == 0 || at == std::string_view::npos) return false;
  for (char c : e)
    if (is_space(c)) return false;
  std::string_view domain = e.substr(at + 1);
  if (domain.find('@') != std::string_view::npos) return false;
  auto dot = domain.rfind('.');
  return dot != std::string_view::npos && dot > 0 && dot + 1 < domain.size();
}

std::size_t code_points(std::string_view s) {
  std::size_t n = 0;
  for (char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

// Collects every problem of a body so one 422 lists them all.
struct Problems {
  json::array errors;
  void add(const char* field, std::string msg) {
    errors.push_back(json::object{{"loc", json::array{"body", field}}, {"msg", std::move(msg)}, {"type", "value_error"}});
  }
  void throw_if_any() {
    if (errors.empty()) return;
    ApiError e{422, "VALIDATION_ERROR", std::string(errors.front().at("msg").as_string()), std::move(errors), {}};
    throw e;
  }
};

const json::value* present(const json::object& o, const char* name) {
  const json::value* v = o.if_contains(name);
  return v && !v->is_null() ? v : nullptr;
}

void check_email(Problems& p, const json::value* v, bool required) {
  if (!v) {
    if (required) p.add("email", "email is required");
  } else if (!v->is_string() || !is_valid_email(v->get_string())) {
    p.add("email", "invalid email address");
  }
}

void check_password(Problems& p, const json::value* v, bool required, std::size_t min_length) {
  if (!v) {
    if (required) p.add("password", "password is required");
  } else if (!v->is_string()) {
    p.add("password", "password must be a string");
  } else if (code_points(v->get_string()) < min_length) {
    p.add("password", "password must be at least " + std::to_string(min_length) + " characters");
  } else if (v->get_string().size() > kMaxPasswordBytes) {
    p.add("password", "password must be at most 1024 bytes");
  }
}

json::object& body_object(json::value& body) {
  if (!body.is_object()) throw validation_error("Request body must be an object", {"body"});
  return body.get_object();
}

std::string token_for(const auth::JwtCodec& jwt, const UserRecord& u) {
  auth::TokenClaims c;
  c.sub = u.id;
  c.project_id = u.project;
  c.email = u.email;
  c.roles = u.roles;
  for (const char* key : {"name", "username"}) {
    const json::value* v = u.data.if_contains(key);
    if (v && v->is_string() && !v->get_string().empty()) {
      c.name = v->get_string();
      break;
    }
  }
  return jwt.issue(std::move(c));
}

HttpResponse auth_response(int status, const auth::JwtCodec& jwt, const UserRecord& u) {
  json::object out{{"access_token", token_for(jwt, u)}, {"token_type", "bearer"}, {"user", user_json(u)}};
  return json_response(status, protocol::to_json(out));
}

// Members of a signup or update body that are not profile data.
bool is_reserved_member(std::string_view k, bool signup) {
  if (k == "email" || k == "password" || k == "data") return true;
  return signup && (k == "roles" || k == "phone_number");
}

// Docs form: top-level extras go into data, unless data already has that member.
void merge_extras(json::object& data, const json::object& body, bool signup, bool override) {
  for (const auto& m : body) {
    if (is_reserved_member(m.key(), signup)) continue;
    if (override || !data.contains(m.key())) data[m.key()] = m.value();
  }
}

void signup(RequestContext& ctx, const Respond& respond) {
  ctx.project = authenticate_key(ctx.store, ctx.request, false).project;
  json::value body = parse_body(ctx);
  json::object& b = body_object(body);
  Problems p;
  check_email(p, present(b, "email"), true);
  check_password(p, present(b, "password"), true, ctx.config.min_password_length);
  const json::value* data = present(b, "data");
  if (data && !data->is_object()) p.add("data", "data must be an object");
  const json::value* roles = present(b, "roles");
  if (roles && (!roles->is_array() || std::any_of(roles->get_array().begin(), roles->get_array().end(),
                                                   [](const json::value& r) { return !r.is_string(); })))
    p.add("roles", "roles must be an array of strings");
  const json::value* phone = present(b, "phone_number");
  if (phone && !phone->is_string()) p.add("phone_number", "phone_number must be a string");
  p.throw_if_any();

  UserRecord u;
  u.project = ctx.project;
  u.id = protocol::new_uuid_v4();
  u.email = lower_ascii(b.at("email").get_string());
  if (data) u.data = data->get_object();
  merge_extras(u.data, b, true, false);
  // The key that authorizes signup is public in client apps, so clients may not grant roles.
  if (roles && ctx.config.allow_signup_roles) u.roles = roles->get_array();
  if (phone) u.phone_number = phone->get_string();
  u.created_at = u.updated_at = protocol::now_timestamp();
  std::string password(b.at("password").get_string());
  ctx.blocking.post([&store = ctx.store, &jwt = ctx.jwt, u = std::move(u), password = std::move(password), respond]() mutable {
    try {
      u.password_hash = auth::hash_password(password);
      if (store.insert_user(u) == UserWriteStatus::email_taken)
        return respond(error_response(ApiError{409, "ALREADY_EXISTS", "Email already registered", {}, {}}));
      respond(auth_response(201, jwt, u));
    } catch (const StorageFull&) {
      respond(error_response(storage_full_error()));
    } catch (const std::exception&) {
      respond(error_response(ApiError{500, "INTERNAL_ERROR", "Internal server error", {}, {}}));
    }
  });
}

void login(RequestContext& ctx, const Respond& respond) {
  ctx.project = authenticate_key(ctx.store, ctx.request, false).project;
  json::value body = parse_body(ctx);
  json::object& b = body_object(body);
  Problems p;
  const json::value* email = b.if_contains("email");
  const json::value* password = b.if_contains("password");
  if (!email || !email->is_string()) p.add("email", "email must be a string");
  if (!password || !password->is_string()) p.add("password", "password must be a string");
  p.throw_if_any();
  std::string email_lower = lower_ascii(email->get_string());
  // Unknown emails are throttled like known ones: a difference would tell which exist.
  std::string email_key = ctx.project + "\n" + email_lower;
  auto& throttle = ctx.limits.logins();
  if (auto refused = throttle.begin_attempt(email_key, ctx.request.remote_ip, limits::Clock::now()))
    throw rate_limited(refused->retry_after, refused->limit, 0, refused->retry_after);
  auto user = ctx.store.user_by_email(ctx.project, email_lower);
  ctx.blocking.post([&jwt = ctx.jwt, &throttle, email_key = std::move(email_key), ip = ctx.request.remote_ip,
                     user = std::move(user), pw = std::string(password->get_string()), respond]() {
    // An unknown email costs a hash too, so response time does not reveal which emails exist.
    static const std::string dummy = auth::hash_password("dummy password for timing");
    bool ok = auth::verify_password(user ? user->password_hash : dummy, pw) && user.has_value();
    if (!ok) return respond(error_response(ApiError{401, "INVALID_CREDENTIALS", "Invalid email or password", {}, {}}));
    throttle.succeeded(email_key, ip);
    respond(auth_response(200, jwt, *user));
  });
}

void update_current_user(RequestContext& ctx, UserRecord user, const Respond& respond) {
  json::value body = parse_body(ctx);
  json::object& b = body_object(body);
  Problems p;
  const json::value* email = present(b, "email");
  const json::value* password = present(b, "password");
  const json::value* data = present(b, "data");
  check_email(p, email, false);
  check_password(p, password, false, ctx.config.min_password_length);
  if (data && !data->is_object()) p.add("data", "data must be an object");
  p.throw_if_any();
  if (data)
    for (const auto& m : data->get_object()) user.data[m.key()] = m.value();
  merge_extras(user.data, b, false, true);
  if (email) user.email = lower_ascii(email->get_string());
  user.updated_at = std::max(protocol::now_timestamp(), user.updated_at);
  auto finish = [&store = ctx.store, respond](UserRecord& u) {
    switch (store.update_user(u)) {
      case UserWriteStatus::ok: return respond(json_response(200, protocol::to_json(user_json(u))));
      case UserWriteStatus::email_taken:
        return respond(error_response(ApiError{409, "ALREADY_EXISTS", "Email already registered", {}, {}}));
      case UserWriteStatus::not_found:
        return respond(error_response(ApiError{401, "INVALID_TOKEN", "Invalid token or token expired", {}, {}}));
    }
  };
  if (!password) return finish(user);
  ctx.blocking.post([finish, user = std::move(user), pw = std::string(password->get_string()), respond]() mutable {
    try {
      user.password_hash = auth::hash_password(pw);
      finish(user);
    } catch (const StorageFull&) {
      respond(error_response(storage_full_error()));
    } catch (const std::exception&) {
      respond(error_response(ApiError{500, "INTERNAL_ERROR", "Internal server error", {}, {}}));
    }
  });
}

std::size_t count_param(const RequestContext& ctx, const char* name, std::size_t fallback) {
  const std::string* v = protocol::last_value(ctx.query, name);
  if (!v) return fallback;
  std::int64_t n = -1;
  auto [ptr, ec] = std::from_chars(v->data(), v->data() + v->size(), n);
  if (ec != std::errc() || ptr != v->data() + v->size() || n < 0 || n > 2147483647)
    throw ApiError{400, "INVALID_QUERY", std::string("Invalid ") + name + " '" + *v + "'", {}, {}};
  return static_cast<std::size_t>(n);
}

// Sorts users like documents (PROTOCOL 4.10): missing/null last both ways, ties by created_at, id.
void sort_users(std::vector<UserRecord>& users, const protocol::Path& path, protocol::SortOrder order) {
  bool desc = order == protocol::SortOrder::desc;
  std::stable_sort(users.begin(), users.end(), [&](const UserRecord& a, const UserRecord& b) {
    // The sources own the values resolve_path points into: keep them alive for the comparison.
    UserFieldSource sa(a), sb(b);
    const json::value* va = protocol::resolve_path(sa, path);
    const json::value* vb = protocol::resolve_path(sb, path);
    bool ma = !va || va->is_null(), mb = !vb || vb->is_null();
    if (ma != mb) return mb;
    int c = ma ? 0 : protocol::compare_sort_values(*va, *vb);
    if (c == 0) c = a.created_at.compare(b.created_at);
    if (c == 0) c = a.id.compare(b.id);
    return desc ? c > 0 : c < 0;
  });
}

HttpResponse list_users(RequestContext& ctx) {
  ctx.principal = authenticate_key(ctx.store, ctx.request, true);
  ctx.project = ctx.principal.project;
  RequestPopulator populator(ctx);  // as the key: user references in the users' data stay private
  std::size_t limit = std::min(count_param(ctx, "limit", ctx.config.default_list_limit), ctx.config.max_list_limit);
  std::size_t offset = count_param(ctx, "offset", 0);
  protocol::Filter filter;
  protocol::Path sort_path{"created_at"};
  protocol::SortOrder order = protocol::SortOrder::desc;
  try {
    filter = protocol::parse_query_filter(ctx.query, protocol::reserved_keys_common(),
                                          {ctx.config.max_filter_conditions, ctx.config.max_in_items});
    const std::string* sort = protocol::last_value(ctx.query, "sort");
    if (!sort) sort = protocol::last_value(ctx.query, "sort_by");
    if (sort) {
      if (sort->empty()) throw ApiError{400, "INVALID_SORT_FIELD", "Invalid sort field ''", {}, {}};
      sort_path = protocol::parse_path(*sort);
    }
  } catch (const protocol::FilterError& e) {
    throw ApiError{400, "INVALID_QUERY", e.detail, {}, {}};
  }
  const std::string* ord = protocol::last_value(ctx.query, "order");
  if (!ord) ord = protocol::last_value(ctx.query, "sort_order");
  if (ord) {
    std::string o = lower_ascii(*ord);
    if (o == "asc") order = protocol::SortOrder::asc;
    else if (o != "desc") throw ApiError{400, "INVALID_QUERY", "Invalid order '" + *ord + "'", {}, {}};
  }
  std::vector<std::string> select_values;
  for (const auto& [k, v] : ctx.query)
    if (k == "select") select_values.push_back(v);
  auto selects = protocol::parse_select(select_values);

  std::vector<UserRecord> users;
  for (auto& u : ctx.store.list_users(ctx.project)) {
    populator.apply(u.data);  // before filtering: filters may name populated paths
    if (filter.matches(UserFieldSource(u))) users.push_back(std::move(u));
  }
  sort_users(users, sort_path, order);
  json::array page;
  for (std::size_t i = offset; i < users.size() && page.size() < limit; ++i) {
    if (selects.empty()) page.push_back(user_json(users[i]));
    else {
      json::object projected = protocol::project_select(users[i].data, selects);
      page.push_back(user_json(users[i], &projected));
    }
  }
  std::size_t total = users.size();
  bool has_more = offset + page.size() < total;
  json::object out{{"data", std::move(page)}, {"total", total}, {"limit", limit}, {"offset", offset}, {"has_more", has_more}};
  return json_response(200, protocol::to_json(out));
}

[[noreturn]] void out_of_scope(const std::string& feature) {
  throw ApiError{404, "NOT_SUPPORTED", feature + " is not supported by this server", {}, {}};
}

void require_method(const std::string& m, std::initializer_list<const char*> allowed, const char* allow) {
  for (const char* a : allowed)
    if (m == a) return;
  throw ApiError{405, "METHOD_NOT_ALLOWED", "Method not allowed", {}, {{"Allow", allow}}};
}

}  // namespace

void route_users(RequestContext& ctx, const std::vector<std::string>& seg, const Respond& respond) {
  const std::string& m = ctx.request.method;
  std::string_view first = seg.size() > 1 ? std::string_view(seg[1]) : std::string_view();
  if (seg.size() == 2 && first == "signup") {
    require_method(m, {"POST"}, "POST");
    return signup(ctx, respond);
  }
  if (seg.size() == 2 && first == "login") {
    require_method(m, {"POST"}, "POST");
    return login(ctx, respond);
  }
  if (seg.size() == 2 && first == "user") {
    require_method(m, {"GET", "PATCH", "PUT"}, "GET, PATCH, PUT");
    UserRecord user = authenticate_user(ctx.store, ctx.jwt, ctx.request);
    if (m == "GET") return respond(json_response(200, protocol::to_json(user_json(user))));
    return update_current_user(ctx, std::move(user), respond);
  }
  if (seg.size() == 2 && first == "users") {
    require_method(m, {"GET"}, "GET");
    return respond(list_users(ctx));
  }
  if (seg.size() == 3 && first == "users") {
    require_method(m, {"GET"}, "GET");
    ctx.project = authenticate_key(ctx.store, ctx.request, true).project;
    auto user = ctx.store.user_by_id(ctx.project, seg[2]);
    if (!user) throw ApiError{404, "NOT_FOUND", "User not found", {}, {}};
    return respond(json_response(200, protocol::to_json(user_json(*user))));
  }
  if (first == "google-verify") out_of_scope("Google sign-in");
  if (first == "github-verify") out_of_scope("GitHub sign-in");
  if (first == "2fa") out_of_scope("Two-factor auth");
  if (first == "verify-email") out_of_scope("Email verification");
  if (first == "forgot-password" || first == "reset-password") out_of_scope("Password reset");
  throw ApiError{404, "NOT_FOUND", "Not found", {}, {}};
}

}  // namespace cocobase::server::api
