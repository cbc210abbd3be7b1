// Access rules [extension, docs/auth.md]: for every rule value, who may read and who may write,
// over every REST route. Principals: a plain API key, the owner's token, another user's token,
// the owner's token sent beside the API key (what the JS SDK does), and an admin key.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { startServer, stopAll, cli, api, makeTempDir } from './lib/server.mjs';

let srv, key, admin, owner, other, http;
const C = 'notes';

async function signup(email) {
  const r = await http.post('/auth-collections/signup', { email, password: 'password123' });
  assert.equal(r.status, 201, r.text);
  return r.json;
}

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

function setRules(read, write) {
  const r = cli(['rules', 'set', C, '--read', read, '--write', write, '--data', srv.dataDir, '--json']);
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(r.json, { collection: C, read, write });
}

// A document owned by the owner (created with the owner's token under a public write rule).
async function ownedDocument(read = 'public') {
  setRules(read, 'public');
  const r = await http.post('/collections/documents?collection=' + C, { data: { text: 'mine' } }, as('owner'));
  assert.equal(r.status, 201, r.text);
  return r.json.id;
}

before(async () => {
  srv = await startServer();
  key = srv.apiKey;
  http = api(srv.url, key);
  const a = cli(['project', 'key', 'create', 'default', '--admin', '--data', srv.dataDir, '--json']);
  assert.equal(a.status, 0, a.stderr);
  assert.equal(a.json.admin, true);
  admin = a.json.api_key;
  owner = await signup('owner@example.com');
  other = await signup('other@example.com');
});
after(stopAll);

// Expected outcome of a read of the owner's document, per read rule and principal:
// 'see' (visible), 'hidden' (get 404, list/count skip it), 'forbidden' (403 on every read route).
const READS = {
  public: { key: 'see', owner: 'see', 'owner+key': 'see', other: 'see', admin: 'see' },
  authenticated: { key: 'forbidden', owner: 'see', 'owner+key': 'see', other: 'see', admin: 'see' },
  owner: { key: 'forbidden', owner: 'see', 'owner+key': 'see', other: 'hidden', admin: 'see' },
  admin: { key: 'forbidden', owner: 'forbidden', 'owner+key': 'forbidden', other: 'forbidden', admin: 'see' },
};

for (const [rule, expectations] of Object.entries(READS)) {
  for (const [who, outcome] of Object.entries(expectations)) {
    test(`read rule ${rule}: ${who} -> ${outcome}`, async () => {
      const id = await ownedDocument(rule);
      const o = as(who);
      const get = await http.get(`/collections/${C}/documents/${id}`, o);
      const list = await http.get(`/collections/${C}/documents?limit=1000`, o);
      const count = await http.get(`/collections/${C}/query/documents/count`, o);
      const agg = await http.get(`/collections/${C}/query/documents/aggregate?field=id&operation=count`, o);
      if (outcome === 'forbidden') {
        for (const r of [get, list, count, agg]) {
          assert.equal(r.status, 403, r.text);
          assert.equal(r.json.code, 'FORBIDDEN');
        }
        return;
      }
      const visible = outcome === 'see';
      assert.equal(get.status, visible ? 200 : 404, get.text);
      assert.equal(list.status, 200);
      assert.equal(list.json.some((d) => d.id === id), visible);
      // Nothing the principal may not read is counted or aggregated either.
      const listed = list.json.length;
      assert.equal(count.json.count, listed);
      assert.equal(agg.json.result, listed);
      if (rule === 'owner' && who === 'other') assert.equal(listed, 0);
    });
  }
}

// Expected outcome of writes, per write rule and principal: 'ok', 'forbidden' (403), or
// 'hidden' (another user's document under the owner rule: 404, nothing changes).
const WRITES = {
  public: { key: 'ok', owner: 'ok', other: 'ok', admin: 'ok' },
  authenticated: { key: 'forbidden', owner: 'ok', other: 'ok', admin: 'ok' },
  owner: { key: 'forbidden', owner: 'ok', other: 'hidden', admin: 'ok' },
  admin: { key: 'forbidden', owner: 'forbidden', other: 'forbidden', admin: 'ok' },
};

async function contentOf(id) {
  const r = await http.get(`/collections/${C}/documents/${id}`, { key: admin });
  return r.status === 200 ? r.json.data : null;
}

for (const [rule, expectations] of Object.entries(WRITES)) {
  for (const [who, outcome] of Object.entries(expectations)) {
    test(`write rule ${rule}: ${who} -> ${outcome}`, async () => {
      const ids = [await ownedDocument(), await ownedDocument(), await ownedDocument(), await ownedDocument()];
      setRules('public', rule);
      const o = as(who);
      const created = await http.post('/collections/documents?collection=' + C, { data: { by: who } }, o);
      const batchCreated = await http.post(`/collections/${C}/batch/documents/create`, { documents: [{ by: who }] }, o);
      const updated = await http.patch(`/collections/${C}/documents/${ids[0]}`, { data: { text: 'changed' } }, o);
      const batchUpdated = await http.post(`/collections/${C}/batch/documents/update`,
        { updates: { [ids[1]]: { text: 'changed' } } }, o);
      const deleted = await http.del(`/collections/${C}/documents/${ids[2]}`, o);
      const batchDeleted = await http.post(`/collections/${C}/batch/documents/delete`, { document_ids: [ids[3]] }, o);

      if (outcome === 'forbidden') {
        for (const r of [created, batchCreated, updated, batchUpdated, deleted, batchDeleted]) {
          assert.equal(r.status, 403, r.text);
          assert.equal(r.json.code, 'FORBIDDEN');
        }
      } else {
        assert.equal(created.status, 201, created.text);
        assert.equal(batchCreated.status, 201, batchCreated.text);
        const ok = outcome === 'ok';
        assert.equal(updated.status, ok ? 200 : 404, updated.text);
        assert.equal(batchUpdated.status, ok ? 200 : 404, batchUpdated.text);
        assert.equal(deleted.status, ok ? 200 : 404, deleted.text);
        assert.equal(batchDeleted.status, 200, batchDeleted.text);
        assert.equal(batchDeleted.json.count, ok ? 1 : 0);
      }
      const changed = outcome === 'ok';
      assert.equal((await contentOf(ids[0])).text, changed ? 'changed' : 'mine');
      assert.equal((await contentOf(ids[1])).text, changed ? 'changed' : 'mine');
      assert.equal(await contentOf(ids[2]) === null, changed);
      assert.equal(await contentOf(ids[3]) === null, changed);
    });
  }
}

test('the owner is server metadata: a client cannot forge it and the Document shape is unchanged', async () => {
  setRules('owner', 'owner');
  const r = await http.post('/collections/documents?collection=' + C,
    { data: { owner_id: other.user.id, _owner: other.user.id } }, as('owner'));
  assert.equal(r.status, 201);
  assert.deepEqual(Object.keys(r.json).sort(), ['collection', 'collection_id', 'created_at', 'data', 'id', 'updated_at']);
  // Data members named like an owner change nothing: the other user still cannot see it.
  const seen = await http.get(`/collections/${C}/documents/${r.json.id}`, as('other'));
  assert.equal(seen.status, 404);
  const mine = await http.get(`/collections/${C}/documents/${r.json.id}`, as('owner'));
  assert.equal(mine.status, 200);
});

test('an invalid token beside a valid key is ignored (the request runs as the key)', async () => {
  setRules('public', 'public');
  const r = await http.get(`/collections/${C}/documents`, { key, headers: { authorization: 'Bearer garbage' } });
  assert.equal(r.status, 200);
  setRules('authenticated', 'public');
  const denied = await http.get(`/collections/${C}/documents`, { key, headers: { authorization: 'Bearer garbage' } });
  assert.equal(denied.status, 403);
});

test('rules CLI refuses bad values and lists what is set', () => {
  const bad = cli(['rules', 'set', C, '--read', 'everyone', '--data', srv.dataDir]);
  assert.notEqual(bad.status, 0);
  assert.match(bad.stderr, /invalid read rule/);
  const unknown = cli(['rules', 'set', C, '--read', 'public', '--project', 'nope', '--data', srv.dataDir]);
  assert.notEqual(unknown.status, 0);
  setRules('owner', 'authenticated');
  const list = cli(['rules', 'list', '--data', srv.dataDir, '--json']);
  assert.equal(list.status, 0);
  assert.deepEqual(list.json, [{ collection: C, read: 'owner', write: 'authenticated' }]);
});

test('regression: --data wins over COCOBASE_DATA for rules and project verbs', async () => {
  // CLI11 applied the env fallback of a sibling subcommand to a shared args struct, so the
  // environment's data dir silently replaced the --data given.
  const elsewhere = await makeTempDir();
  const env = { COCOBASE_DATA: elsewhere };
  assert.equal(cli(['rules', 'set', 'regress', '--read', 'public', '--data', srv.dataDir], { env }).status, 0);
  const list = cli(['rules', 'list', '--data', srv.dataDir, '--json'], { env });
  assert.ok(list.json.some((r) => r.collection === 'regress'), list.stdout);
  const projects = cli(['project', 'list', '--data', srv.dataDir, '--json'], { env });
  assert.equal(projects.status, 0, projects.stderr);
  assert.ok(JSON.stringify(projects.json).includes('default'), projects.stdout);
  assert.deepEqual(fs.readdirSync(elsewhere), [], 'nothing written to the env dir');
});
