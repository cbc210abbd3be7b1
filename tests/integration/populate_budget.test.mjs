// The populate budget (issue 12, finding 3; docs/limits.md): one response may insert at most
// --max-populate-documents records (each copy counted) and --max-populate-bytes of them. Above
// either: 400 INVALID_QUERY naming the limit, found before the response is built, and the
// server carries on. (Memory is not measured here: the bound is the count.)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, stopAll, api } from './lib/server.mjs';

let srv, http;

before(async () => {
  srv = await startServer();
  http = api(srv.url, srv.apiKey);
});
after(stopAll);

// A document whose `refs` names itself n times, padded to about `bytes`.
async function selfReferencing(coll, n, bytes) {
  const r = await http.post(`/collections/${coll}`, { pad: 'x'.repeat(bytes) });
  assert.equal(r.status, 201, r.text);
  const id = r.json.id;
  const p = await http.patch(`/collections/${coll}/documents/${id}`, { data: { refs: Array(n).fill(id) } });
  assert.equal(p.status, 200, p.text);
  return id;
}

async function stillServing() {
  const h = await http.get('/health');
  assert.equal(h.status, 200);
}

test('issue 12: 300 self-references and populate=refs.refs get 400 at once, not gigabytes', async () => {
  const id = await selfReferencing('amp', 300, 1024);  // ~12 KB with the references
  const t0 = Date.now();
  const r = await http.get(`/collections/amp/documents/${id}?populate=refs.refs`);
  const took = Date.now() - t0;
  assert.equal(r.status, 400, r.text.slice(0, 200));
  assert.equal(r.json.code, 'INVALID_QUERY');
  assert.match(r.json.detail, /more than 1000 records.*--max-populate-documents/);
  // 90,300 copies (over a gigabyte) before; the budget stops at the 1,001st.
  assert.ok(took < 5000, `took ${took} ms`);
  const list = await http.get('/collections/amp/documents?populate=refs.refs');
  assert.equal(list.status, 400);
  await stillServing();
});

test('a smaller amplification (60 self-references, 3,660 copies) is refused too', async () => {
  const id = await selfReferencing('amp60', 60, 100);
  const r = await http.get(`/collections/amp60/documents/${id}?populate=refs.refs`);
  assert.equal(r.status, 400, r.text.slice(0, 200));
  assert.match(r.json.detail, /--max-populate-documents/);
  const count = await http.get(`/collections/amp60/query/documents/count?populate=refs.refs&refs.pad_isnull=false`);
  assert.equal(count.status, 400, 'a filter on populated paths populates too');
  // Depth 1 is 60 copies: within the budget.
  const one = await http.get(`/collections/amp60/documents/${id}?populate=refs`);
  assert.equal(one.status, 200, one.text.slice(0, 200));
  assert.equal(one.json.data.refs.length, 60);
  assert.equal(one.json.data.refs[59].id, id);
  await stillServing();
});

test('the byte budget: 20 references to a ~900 KB document pass 16 MiB', async () => {
  const big = await http.post('/collections/big', { pad: 'y'.repeat(900 * 1024) });
  assert.equal(big.status, 201);
  const holder = await http.post('/collections/holders', { many: Array(20).fill(big.json.id), one: big.json.id });
  assert.equal(holder.status, 201);
  const r = await http.get(`/collections/holders/documents/${holder.json.id}?populate=many`);
  assert.equal(r.status, 400, r.text.slice(0, 200));
  assert.equal(r.json.code, 'INVALID_QUERY');
  assert.match(r.json.detail, /more than 16777216 bytes.*--max-populate-bytes/);
  const ok = await http.get(`/collections/holders/documents/${holder.json.id}?populate=one`);
  assert.equal(ok.status, 200);
  assert.equal(ok.json.data.one.pad.length, 900 * 1024);
  await stillServing();
});

test('a normal populate still works', async () => {
  const author = await http.post('/collections/authors', { name: 'Ann' });
  for (let i = 0; i < 30; i++) {
    const p = await http.post('/collections/posts', { i, author_id: author.json.id });
    assert.equal(p.status, 201);
  }
  const page = await http.get('/collections/posts/documents?populate=author&limit=5&sort=i&order=asc');
  assert.equal(page.status, 200, page.text);
  assert.deepEqual(page.json.map((d) => [d.data.i, d.data.author.name]),
    [[0, 'Ann'], [1, 'Ann'], [2, 'Ann'], [3, 'Ann'], [4, 'Ann']]);
  const filtered = await http.get('/collections/posts/query/documents/count?populate=author&author.name=Ann');
  assert.deepEqual(filtered.json, { count: 30 });
});

test('flags: a budget of 10 documents refuses the 11th copy', async () => {
  const small = await startServer({ args: ['--max-populate-documents', '10', '--max-populate-bytes', '100000'] });
  const h = api(small.url, small.apiKey);
  const a = await h.post('/collections/a', { v: 1 });
  const ten = await h.post('/collections/b', { refs: Array(10).fill(a.json.id) });
  const eleven = await h.post('/collections/b', { refs: Array(11).fill(a.json.id) });
  assert.equal((await h.get(`/collections/b/documents/${ten.json.id}?populate=refs`)).status, 200);
  const r = await h.get(`/collections/b/documents/${eleven.json.id}?populate=refs`);
  assert.equal(r.status, 400);
  assert.match(r.json.detail, /more than 10 records/);
  // A list populates only its page unless a filter or the sort names a populated path.
  for (let i = 0; i < 30; i++) assert.equal((await h.post('/collections/posts', { i, author_id: a.json.id })).status, 201);
  assert.equal((await h.get('/collections/posts/documents?populate=author&limit=5')).status, 200);
  assert.equal((await h.get('/collections/posts/query/documents/count?populate=author')).status, 200);
  assert.equal((await h.get('/collections/posts/documents?populate=author&limit=5&author.v=1')).status, 400);
  assert.equal((await h.get('/collections/posts/documents?populate=author&limit=5&sort=author.v')).status, 400);
  await small.stop();
});
