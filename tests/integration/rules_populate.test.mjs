// Access rules through populate (issue 12, finding 2; docs/auth.md): a reference resolves only
// to what the caller may read. For every read rule of the referenced collection and every
// principal (plain API key, the owner's token, another user's token, the owner's token beside
// the key, an admin key): populate at depth 1, 2 and 3, filters and sorts on populated paths,
// count and aggregate on them. A reference the caller may not read is null, as if missing.
// User references: the user themself and admin keys see the record, everyone else {id, created_at}.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, stopAll, cli, api } from './lib/server.mjs';

let srv, key, admin, owner, other, http;
const T = 'secret';   // the referenced collection; its read rule changes per test
const P = 'pub';      // public collection holding the references
const doc = {};       // name -> id

function as(who) {
  switch (who) {
    case 'key': return { key };
    case 'admin': return { key: admin };
    case 'owner': return { noKey: true, headers: { authorization: `Bearer ${owner.access_token}` } };
    case 'owner+key': return { key, headers: { authorization: `Bearer ${owner.access_token}` } };
    case 'other': return { noKey: true, headers: { authorization: `Bearer ${other.access_token}` } };
    default: throw new Error(who);
  }
}

function setRead(collection, read) {
  const r = cli(['rules', 'set', collection, '--read', read, '--write', 'public', '--data', srv.dataDir]);
  assert.equal(r.status, 0, r.stderr);
}

async function create(collection, data, who) {
  const r = await http.post(`/collections/${collection}`, data, as(who));
  assert.equal(r.status, 201, r.text);
  return r.json.id;
}

before(async () => {
  srv = await startServer();
  key = srv.apiKey;
  http = api(srv.url, key);
  const a = cli(['project', 'key', 'create', 'default', '--admin', '--data', srv.dataDir, '--json']);
  assert.equal(a.status, 0, a.stderr);
  admin = a.json.api_key;
  for (const [name, email] of [['owner', 'owner@p.io'], ['other', 'other@p.io']]) {
    const r = await http.post('/auth-collections/signup',
      { email, password: 'password123', data: { name, phone: '+15550100' } });
    assert.equal(r.status, 201, r.text);
    if (name === 'owner') owner = r.json; else other = r.json;
  }
  // Owned by the owner: created with the owner's token.
  doc.hi = await create(T, { n: 100, tag: 'hi' }, 'owner');
  doc.lo = await create(T, { n: 1, tag: 'lo' }, 'owner');
  // A chain of public documents ending at `hi`: c -> hi, b -> c, a -> b (depth 1, 2, 3), and
  // `low` -> lo, created after `c` so that sorting by ref.n differs from sorting by creation.
  doc.c = await create(P, { tag: 'c', ref: doc.hi }, 'key');
  doc.b = await create(P, { tag: 'b', ref: doc.c }, 'key');
  doc.a = await create(P, { tag: 'a', ref: doc.b }, 'key');
  doc.low = await create(P, { tag: 'low', ref_id: doc.lo }, 'key');
  doc.u = await create('people', { tag: 'u', user: owner.user.id }, 'key');
});
after(stopAll);

// Whether each principal may read the owner's document under each read rule (rules.test.mjs:
// 'see'; 'hidden' and 'forbidden' both mean: not readable).
const READABLE = {
  public: { key: true, owner: true, 'owner+key': true, other: true, admin: true },
  authenticated: { key: false, owner: true, 'owner+key': true, other: true, admin: true },
  owner: { key: false, owner: true, 'owner+key': true, other: false, admin: true },
  admin: { key: false, owner: false, 'owner+key': false, other: false, admin: true },
};

async function get(id, populate, who) {
  const r = await http.get(`/collections/${P}/documents/${id}?populate=${populate}`, as(who));
  assert.equal(r.status, 200, r.text);
  return r.json.data;
}

for (const [rule, row] of Object.entries(READABLE)) {
  for (const [who, readable] of Object.entries(row)) {
    test(`populate into read rule ${rule}: ${who} ${readable ? 'sees the record' : 'gets null'}`, async () => {
      setRead(T, rule);
      const hi = readable ? { id: doc.hi, n: 100, tag: 'hi' } : null;

      // Depth 1, 2 and 3: the public links resolve, the last one only when readable.
      assert.deepEqual((await get(doc.c, 'ref', who)).ref, hi, 'depth 1');
      assert.deepEqual((await get(doc.b, 'ref.ref', who)).ref.ref, hi, 'depth 2');
      assert.deepEqual((await get(doc.a, 'ref.ref.ref', who)).ref.ref.ref, hi, 'depth 3');
      assert.equal((await get(doc.a, 'ref.ref.ref', who)).ref.ref.ref_id, undefined);

      // A filter on the populated path behaves as if the reference were missing.
      const list = await http.get(`/collections/${P}/documents?populate=ref&ref.n=100`, as(who));
      assert.equal(list.status, 200, list.text);
      assert.deepEqual(list.json.map((d) => d.id), readable ? [doc.c] : []);
      const gt = await http.get(`/collections/${P}/documents?populate=ref&ref.n_gt=50`, as(who));
      assert.deepEqual(gt.json.map((d) => d.id), readable ? [doc.c] : []);
      const isnull = await http.get(`/collections/${P}/documents?populate=ref&ref_isnull=true`, as(who));
      assert.deepEqual(isnull.json.map((d) => d.id).sort(), readable ? [] : [doc.c, doc.low].sort());

      // count and aggregate on the populated path.
      const count = await http.get(`/collections/${P}/query/documents/count?populate=ref&ref.n_gte=1`, as(who));
      assert.equal(count.status, 200, count.text);
      assert.deepEqual(count.json, { count: readable ? 2 : 0 });
      for (const [op, seen, unseen] of [['sum', 101, 0], ['max', 100, null], ['min', 1, null], ['count', 2, 0]]) {
        const agg = await http.get(
          `/collections/${P}/query/documents/aggregate?field=ref.n&operation=${op}&populate=ref`, as(who));
        assert.equal(agg.status, 200, agg.text);
        assert.equal(agg.json.result, readable ? seen : unseen, `aggregate ${op}`);
      }
      // The same through a chain (depth 2): the filter reaches through a public link.
      const deep = await http.get(`/collections/${P}/query/documents/count?populate=ref.ref&ref.ref.n=100`, as(who));
      assert.deepEqual(deep.json, { count: readable ? 1 : 0 });

      // Sorting by the populated value: unreadable values sort as missing (last, then by
      // creation), so the order does not reveal them either.
      const sorted = await http.get(`/collections/${P}/documents?populate=ref&sort=ref.n&order=asc&tag_in=c,low`, as(who));
      assert.equal(sorted.status, 200, sorted.text);
      assert.deepEqual(sorted.json.map((d) => d.data.tag), readable ? ['low', 'c'] : ['c', 'low']);
      for (const d of sorted.json) {
        if (!readable) assert.equal(d.data.ref, null, 'nothing of the referenced document');
      }
    });
  }
}

// A user reference: the user themself and admin keys see the record (never the password hash);
// anyone else sees only that the user exists.
const USER_VIEW = { key: 'minimal', owner: 'full', 'owner+key': 'full', other: 'minimal', admin: 'full' };

for (const [who, view] of Object.entries(USER_VIEW)) {
  test(`populated user reference: ${who} -> ${view}`, async () => {
    const r = await http.get(`/collections/people/documents/${doc.u}?populate=user`, as(who));
    assert.equal(r.status, 200, r.text);
    const u = r.json.data.user;
    if (view === 'full') {
      assert.deepEqual(u, { id: owner.user.id, email: 'owner@p.io', roles: owner.user.roles,
        created_at: owner.user.created_at, name: 'owner', phone: '+15550100' });
    } else {
      assert.deepEqual(u, { id: owner.user.id, created_at: owner.user.created_at });
    }
    assert.ok(!/password|argon/i.test(r.text), 'never the password hash');
    // Nor through a filter: the email cannot be probed.
    const probe = await http.get('/collections/people/query/documents/count?populate=user&user.email=owner@p.io', as(who));
    assert.deepEqual(probe.json, { count: view === 'full' ? 1 : 0 });
  });
}

test('a populated document of an owner-rule collection stays private in the user listing too', async () => {
  setRead(T, 'owner');
  const u = await http.patch('/auth-collections/user', { data: { fav_id: doc.hi } }, as('owner'));
  assert.equal(u.status, 200, u.text);
  const r = await http.get(`/auth-collections/users?populate=fav&id=${owner.user.id}`);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.data[0].data.fav, null, 'the listing runs as the key');
});
