#!/usr/bin/env python3
"""Writes the seed corpora under fuzz/corpus/<target>/ from inputs of the unit and black-box
tests. Run by hand when a seed is added (the fuzzers never write here: scripts/run-fuzz.sh
runs them on a copy)."""
import hashlib, json, os, struct, zlib

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")


def write(target, items):
    d = os.path.join(ROOT, target)
    os.makedirs(d, exist_ok=True)
    for item in items:
        data = item.encode() if isinstance(item, str) else item
        name = hashlib.sha1(data).hexdigest()[:16]
        with open(os.path.join(d, name), "wb") as f:
            f.write(data)


# --- JSON bodies (tests/unit/protocol/json_test.cpp, tests/integration/*.test.mjs)
json_seeds = [
    '{"name":"Alice Smith","email":"alice@Example.com","age":30,"score":"85","zip":"01234",'
    '"active":true,"tags":["admin","dev"],"author":{"role":"admin","level":3},"deleted_at":null}',
    '"h\\u00e9\\n\\u0001\\"\\\\"', '{"b":1,"a":2}', '{"a":1,"a":2}', '10.0', '1.5', '-0', '-0.0',
    '9007199254740993', '18446744073709551615', '-9223372036854775808', '1e21', '1e-7',
    '0.1', '123456789012345678901234567890', '[[[[[[[1]]]]]]]', '"\\ud83d\\ude00"', '"\\ud800"',
    '{"n": 1e308}', '[true,false,null,"x",{"":[]}]', ' \t\n{"a" : [ 1 , 2 ] }\n',
]
write("fuzz_json", json_seeds)

# --- Query strings (tests/unit/protocol/filter_test.cpp, query_string_test.cpp, integration)
queries = [
    "name=Alice+Smith", "name_eq=Alice%20Smith", "name_ne=Bob", "name_contains=SMITH",
    "name_icontains=smi", "name_startswith=Alice", "email_endswith=@example.com", "age=30.0",
    "age_gte=18&age_lt=abc", "score_gt=9", "zip_lt=1235", "active=TRUE", "tags=admin",
    "tags_in=ops,dev", "tags_notin=ops", "author.role=admin", "author.level_gte=3", "tags.1=dev",
    "nickname_isnull=true", "deleted_at_isnull=false", "age_in=10, 30", "age_in=,,",
    "created_at_gte=2025-03-10", "id=d1", "name__or__email_contains=example",
    "%5Bor%5Dage_lt=18&%5Bor%5Dactive=true", "[or:a]age_lt=18&[or:a]tags=dev&[or:b]name=Bob&[or:b]zip=01234",
    "[x]name=A", "__or__name=A", "&&a=1&&a=2&flag&", "a=%", "a=%ED%A0%80", "a=b=c",
    "%5Bor%5Dstatus=a+b&name=%C3%A9", "populate=ref&ref.name=Ada", "populate=ref.ref,refs&sort=ref.n",
    "select=name,nested.x&sort=-age&order=asc", "sort=nested.x&order=desc&limit=2&offset=1",
    "select=id,a..b&populate=*", "sort=name&sort_by=age&sort_order=DESC", "big_gt=18446744073709551614",
    "score_lt=1e400", "age=9007199254740993",
]
write("fuzz_query", queries)

# --- WebSocket frames: one mode byte (bit 0: deflate; the rest: bytes per feed), then frames
def frame(opcode, payload, fin=True, rsv1=False, mask=b"\0\0\0\0"):
    b0 = (0x80 if fin else 0) | (0x40 if rsv1 else 0) | opcode
    n = len(payload)
    if n < 126:
        head = bytes([b0, 0x80 | n])
    elif n < 65536:
        head = bytes([b0, 0x80 | 126]) + struct.pack(">H", n)
    else:
        head = bytes([b0, 0x80 | 127]) + struct.pack(">Q", n)
    masked = bytes(c ^ mask[i % 4] for i, c in enumerate(payload))
    return head + mask + masked


def deflate(text):
    c = zlib.compressobj(wbits=-15)
    out = c.compress(text) + c.flush(zlib.Z_SYNC_FLUSH)
    return out[:-4]


auth = json.dumps({"api_key": "$KEY", "filters": {"age_gte": 18}}).encode()
ws = [
    bytes([0xFE]) + frame(1, auth),
    bytes([0x00]) + frame(1, b"hello") + frame(9, b"ping") + frame(10, b"") + frame(8, struct.pack(">H", 1000) + b"bye"),
    bytes([0x10]) + frame(1, b"frag", fin=False, mask=b"\x01\x02\x03\x04") + frame(9, b"") + frame(0, b"ment"),
    bytes([0x02]) + frame(2, b"\x00\x01binary") + frame(1, b"\xc3\xa9t\xc3\xa9"),
    bytes([0x04]) + frame(1, b"\xff\xfe"),
    bytes([0xFE]) + frame(1, b"x" * 300) + frame(8, b""),
    bytes([0x01]) + frame(1, deflate(auth), rsv1=True),
    bytes([0x21]) + frame(1, deflate(b"first"), rsv1=True) + frame(1, deflate(b"second message"), rsv1=True),
    bytes([0x03]) + frame(1, deflate(b"abc" * 200)[:10], fin=False, rsv1=True) + frame(0, deflate(b"abc" * 200)[10:]),
    bytes([0x01]) + frame(1, b"not deflate", rsv1=True),
    bytes([0x01]) + frame(1, b"y" * 5000),
]
write("fuzz_ws_frames", ws)

# --- HTTP requests ($KEY, $TOKEN, $QTOKEN: see fuzz/fixture.hpp)
def req(method, target, headers=(), body=None):
    lines = [f"{method} {target} HTTP/1.1", "Host: 127.0.0.1"] + list(headers)
    if body is not None:
        lines += ["Content-Type: application/json", f"Content-Length: {len(body.encode())}"]
    return "\r\n".join(lines) + "\r\n\r\n" + (body or "")

k = "X-API-Key: $KEY"
http = [
    req("GET", "/health"),
    req("OPTIONS", "/collections/c/documents", ["Origin: http://a.example"]),
    req("GET", "/collections/c/documents?name=Ada&sort=n&order=asc&limit=2", [k]),
    req("GET", "/collections/c/documents?populate=ref&select=name,nested.x&%5Bor%5Dn_gt=1&%5Bor%5Dok=true", [k]),
    req("GET", "/collections/c/query/documents/count?tags_contains=a", [k]),
    req("GET", "/collections/c/query/documents/aggregate?field=n&operation=sum", [k]),
    req("GET", "/collections/c/documents/d1", ["Authorization: Bearer $TOKEN"]),
    req("GET", "/collections/c/documents?x=%ff", [k]),
    req("GET", "/collections/%zz/documents", [k]),
    req("GET", "/collections", ["Authorization: Bearer $QTOKEN"]),
    req("GET", "/auth-collections/users", [k]),
    req("GET", "/realtime/rooms", [k]),
    req("GET", "/metrics"),
    req("POST", "/collections/c/documents", [k], '{"data":{"n":1}}'),
    req("POST", "/auth-collections/login", [k], '{"email":"a@b.c","password":"x"}'),
    req("PATCH", "/collections/c/documents/d1", [k], '{"data":{"n":1e400}}'),
    req("GET", "/realtime/collections/c", ["Upgrade: websocket", "Connection: Upgrade",
        "Sec-WebSocket-Version: 13", "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
        "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits, permessage-deflate; server_max_window_bits=10; server_no_context_takeover"]),
    req("GET", "/realtime/rooms/r1", ["Upgrade: websocket", "Connection: Upgrade", "Sec-WebSocket-Version: 8"]),
    "POST /collections/c/documents HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
    "5;ext=1\r\n{\"dat\r\n0\r\nTrailer: x\r\n\r\n",
    req("GET", "/health") + req("GET", "/collections/c/documents/", [k]) + req("DELETE", "/collections/c/documents/d1", [k]),
    "GET /health HTTP/1.0\r\n\r\n",
]
write("fuzz_http_request", http)

# --- Realtime auth messages (PROTOCOL 5.1.3; tests/realtime/*.test.mjs)
auth_msgs = [
    {"api_key": "$KEY"}, {"api_key": "$KEY", "filters": {"age_gte": 18, "[or]a": 1, "tags_in": ["x", "y"]}},
    {"api_key": "$KEY", "resume_from": 12}, {"token": "$TOKEN"}, {"api_key": "$KEY", "token": "$QTOKEN"},
    {"api_key": "$KEY", "user_id": 42, "user_name": "Ada", "room_title": "Room"}, {"api_key": "cb_nope"},
    {"api_key": "", "token": ""}, {"api_key": "$KEY", "user_id": "x" * 200}, {"token": "a.b.c"},
    {"api_key": "$KEY", "action": "join", "history": 10}, {"api_key": 5},
]
write("fuzz_auth_message", [json.dumps(m) for m in auth_msgs] + ["[1]", "{\"api_key\":\"$KEY\",\"n\":1e400}"])

# --- What the SDK decodes: realtime messages (PROTOCOL 5.2-6) and REST bodies
doc = {"id": "d1", "collection": "c", "collection_id": "00000000-0000-0000-0000-000000000000",
       "data": {"name": "Ada"}, "created_at": "2026-01-01T00:00:00.000Z", "updated_at": "2026-01-01T00:00:00.000Z"}
user = {"id": "u1", "email": "a@b.c", "client_id": "p", "created_at": "x", "updated_at": "y",
        "data": {}, "roles": ["admin", 1], "phone_number": "+1"}
sdk = [
    {"event": "connected", "collection": "c", "head_seq": 7},
    {"event": "create", "seq": 8, "data": doc}, {"event": "update", "seq": 9, "data": doc, "old_data": {"name": "B"},
    "left_filter": True}, {"event": "delete", "seq": 10, "data": doc, "replay": True},
    {"event": "create", "seq": -1, "data": doc}, {"event": "replay_done", "head_seq": "x"},
    {"event": "resync_required"}, {"type": "error", "code": "INVALID_FILTER", "error": "bad"},
    {"type": "broadcast", "user_id": "u", "user_name": "n", "timestamp": "t", "data": [1, 2]},
    {"event": "message", "user_id": 1, "content": {"text": "hi"}, "replay": True, "timestamp": "t"},
    [doc, doc], user, {"access_token": "t", "user": user}, {"data": [user], "total": 1, "limit": 10, "offset": 0,
    "has_more": False}, [{"id": "c1", "name": "c", "created_at": "x"}],
    {"rooms": [{"id": "r", "title": "T", "created_by": "u", "participants": 2, "created_at": 5,
    "participant_list": [{"id": "u", "name": "n"}, 3]}], "total": 1},
    {"detail": "Not found", "code": "NOT_FOUND"},
]
write("fuzz_sdk_messages", [json.dumps(m) for m in sdk])
