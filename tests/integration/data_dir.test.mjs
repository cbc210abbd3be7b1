// The data dir (issue 12, findings 5 and 9): private modes, the JWT secret out of the database
// (and moved out of an existing one without invalidating tokens), and a lost store refused
// instead of silently replaced by a fresh one with a new default key.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {
  BIN, startServer, stopAll, api, makeTempDir, cli, expectStatus,
} from './lib/server.mjs';

after(async () => { await stopAll(); });

const mode = (p) => fs.statSync(p).mode & 0o777;
const oct = (m) => `0${m.toString(8)}`;
const sql = (db, q) => execFileSync('sqlite3', [db, q], { encoding: 'utf8' }).trim();

// Starts the server on dir, expecting it to refuse: returns the exit status and stderr.
function refusedStart(dir) {
  const r = spawnSync(BIN, ['serve', '--listen', '127.0.0.1:0', '--data', dir], { encoding: 'utf8', timeout: 8000 });
  return { status: r.status, stderr: r.stderr, stdout: r.stdout, timedOut: r.error?.code === 'ETIMEDOUT' || r.signal === 'SIGTERM' };
}

async function signupToken(srv) {
  const a = api(srv.url, srv.apiKey);
  const r = await a.post('/auth-collections/signup', { email: 'ann@example.com', password: 'password123' });
  expectStatus(r, 201, 'signup');
  return r.json.access_token;
}

test('a new data dir is 0700 and every file in it 0600, whatever the umask', async () => {
  const parent = await makeTempDir('cocobase-dd-');
  const dir = path.join(parent, 'data');  // absent: created by the server
  const srv = await startServer({ dataDir: dir });  // node's umask is 022
  const a = api(srv.url, srv.apiKey);
  expectStatus(await a.post('/collections/notes/documents', { data: { n: 1 } }), 201, 'create');
  assert.equal(oct(mode(dir)), '0700', 'data dir mode');
  const files = fs.readdirSync(dir);
  for (const f of ['cocobase.db', 'cocobase.db-wal', 'cocobase.db-shm', 'jwt_secret']) {
    assert.ok(files.includes(f), `${f} missing; files: ${files}`);
  }
  for (const f of files) assert.equal(oct(mode(path.join(dir, f))), '0600', `${f} mode`);
  assert.equal(sql(path.join(dir, 'cocobase.db'), "SELECT count(*) FROM settings WHERE key='jwt_secret'"), '0',
    'the JWT secret must not be in the database');
  assert.match(fs.readFileSync(path.join(dir, 'jwt_secret'), 'utf8'), /^[0-9a-f]{64}\n$/);
  await srv.stop();
  // The CLI verbs do not loosen anything either (they set the same umask).
  const r = cli(['project', 'create', 'second', '--data', dir, '--json']);
  assert.equal(r.status, 0, r.stderr);
  for (const f of fs.readdirSync(dir)) assert.equal(oct(mode(path.join(dir, f))), '0600', `${f} mode after the CLI`);
  assert.equal(oct(mode(dir)), '0700');
});

test('an old-style data dir: modes tightened, the secret moved out of the database, old tokens still valid', async () => {
  const dir = await makeTempDir('cocobase-old-');
  let srv = await startServer({ dataDir: dir });
  const key = srv.apiKey;
  const token = await signupToken(srv);
  await srv.stop();
  // Make it look as an earlier version left it: world-readable, the secret in `settings`.
  const db = path.join(dir, 'cocobase.db');
  const secretFile = path.join(dir, 'jwt_secret');
  let secret;
  if (fs.existsSync(secretFile)) {
    secret = fs.readFileSync(secretFile, 'utf8').trim();
    fs.rmSync(secretFile);
    sql(db, `INSERT INTO settings(key, value) VALUES('jwt_secret', '${secret}')`);
  } else {
    secret = sql(db, "SELECT value FROM settings WHERE key='jwt_secret'");  // an older binary
  }
  assert.match(secret, /^[0-9a-f]{64}$/);
  fs.chmodSync(dir, 0o755);
  for (const f of fs.readdirSync(dir)) fs.chmodSync(path.join(dir, f), 0o644);

  srv = await startServer({ dataDir: dir, apiKey: key });
  assert.match(srv.stdout() + srv.stderr(), /modes tightened/, 'what was changed is logged');
  assert.equal(oct(mode(dir)), '0700');
  for (const f of fs.readdirSync(dir)) assert.equal(oct(mode(path.join(dir, f))), '0600', `${f} mode`);
  assert.equal(fs.readFileSync(secretFile, 'utf8').trim(), secret, 'the same secret, now in a file');
  assert.equal(oct(mode(secretFile)), '0600');
  assert.equal(sql(db, "SELECT count(*) FROM settings WHERE key='jwt_secret'"), '0', 'setting deleted');
  const me = await api(srv.url, key).get('/auth-collections/user', { noKey: true, headers: { authorization: `Bearer ${token}` } });
  expectStatus(me, 200, 'a token signed before the move');
  assert.equal(me.json.email, 'ann@example.com');
  await srv.stop();
  // And after one more restart (the file is read back).
  srv = await startServer({ dataDir: dir, apiKey: key });
  const again = await api(srv.url, key).get('/auth-collections/user', { noKey: true, headers: { authorization: `Bearer ${token}` } });
  expectStatus(again, 200, 'token after a second restart');
  await srv.stop();
});

test('a 0-byte database is refused with exit status 3 and a clear message, and left as it was', async () => {
  const dir = await makeTempDir('cocobase-zero-');
  fs.writeFileSync(path.join(dir, 'cocobase.db'), '');
  const r = refusedStart(dir);
  assert.equal(r.timedOut, false, `the server started on a 0-byte database; stdout: ${r.stdout}`);
  assert.equal(r.status, 3, r.stderr);
  assert.match(r.stderr, /cocobase\.db is empty \(0 bytes\)/);
  assert.doesNotMatch(r.stdout, /API key/, 'no fresh default key');
  assert.equal(fs.statSync(path.join(dir, 'cocobase.db')).size, 0);
  const v = cli(['project', 'list', '--data', dir]);
  assert.equal(v.status, 3, `CLI verb: ${v.stderr}`);
});

test('a data dir with files but no database is refused; an empty one is a first start', async () => {
  const dir = await makeTempDir('cocobase-nodb-');
  fs.writeFileSync(path.join(dir, 'jwt_secret'), 'ab'.repeat(32) + '\n');
  const r = refusedStart(dir);
  assert.equal(r.timedOut, false, `the server started without its database; stdout: ${r.stdout}`);
  assert.equal(r.status, 3, r.stderr);
  assert.match(r.stderr, /has files but no database/);
  assert.ok(!fs.existsSync(path.join(dir, 'cocobase.db')), 'no database created');

  const empty = await makeTempDir('cocobase-empty-');
  const srv = await startServer({ dataDir: empty });
  assert.match(srv.apiKey ?? '', /^cb_/);
  await srv.stop();
});
