// Crafted and broken tokens on every realtime endpoint (PROTOCOL 7.7, 8d): each is refused with
// its error code and close 4401, also beside a valid api_key. A valid token still works.
import { test, before, after } from 'node:test';
import crypto from 'node:crypto';
import assert from 'node:assert/strict';
import { startServer, stopAll, cli } from '../integration/lib/server.mjs';
import { connectAuthed, expectErrorClose, openWs } from './lib/ws.mjs';

const SECRET = 'realtime-jwt-security-secret';
let srv, otherProjectToken;
const b64 = (x) => Buffer.from(typeof x === 'string' ? x : JSON.stringify(x)).toString('base64url');
const now = () => Math.floor(Date.now() / 1000);
function sign(claims, { secret = SECRET, header = { alg: 'HS256', typ: 'JWT' }, hash = 'sha256' } = {}) {
  const body = { iss: 'cocobase', iat: now(), exp: now() + 3600, roles: [], ...claims };
  for (const k of Object.keys(body)) if (body[k] === undefined) delete body[k];
  const signing = `${b64(header)}.${b64(body)}`;
  return `${signing}.${crypto.createHmac(hash, secret).update(signing).digest('base64url')}`;
}

before(async () => {
  srv = await startServer({ args: ['--jwt-secret', SECRET] });
  assert.equal(cli(['project', 'create', 'other', '--data', srv.dataDir]).status, 0);
  otherProjectToken = sign({ sub: 'u', project_id: 'other' });
});
after(stopAll);

const ENDPOINTS = ['/realtime/collections/things', '/realtime/broadcast', '/realtime/rooms/r1'];

function cases() {
  const good = sign({ sub: 'u1', project_id: 'default' });
  const [h, p, s] = good.split('.');
  const tamperedPayload = `${h}.${b64({ sub: 'admin', project_id: 'default', iss: 'cocobase', exp: now() + 3600 })}.${s}`;
  const tamperedSig = `${h}.${p}.${s.slice(0, -2)}${s.endsWith('AA') ? 'BB' : 'AA'}`;
  return [
    ['tampered payload', tamperedPayload, 'INVALID_TOKEN'],
    ['tampered signature', tamperedSig, 'INVALID_TOKEN'],
    ['alg none', `${b64({ alg: 'none', typ: 'JWT' })}.${p}.`, 'INVALID_TOKEN'],
    ['alg HS512 with the right secret', sign({ sub: 'u1', project_id: 'default' }, { header: { alg: 'HS512' }, hash: 'sha512' }), 'INVALID_TOKEN'],
    ['alg RS256 header', sign({ sub: 'u1', project_id: 'default' }, { header: { alg: 'RS256' } }), 'INVALID_TOKEN'],
    ['expired', sign({ sub: 'u1', project_id: 'default', exp: now() - 3600 }), 'TOKEN_EXPIRED'],
    ['missing sub', sign({ sub: undefined, project_id: 'default' }), 'INVALID_TOKEN'],
    ['unknown project', sign({ sub: 'u1', project_id: 'nope' }), 'INVALID_TOKEN'],
    ['three-segment garbage', 'abc.def.ghi', 'INVALID_TOKEN'],
    ['oversized', 'a'.repeat(20000), 'INVALID_TOKEN'],
  ];
}

for (const path of ENDPOINTS) {
  test(`broken tokens are refused with close 4401 on ${path}`, async () => {
    for (const [what, token, code] of cases()) {
      for (const withKey of [false, true]) {
        const c = await openWs(srv.url, path);
        const auth = { token, action: 'create', ...(withKey ? { api_key: srv.apiKey } : {}) };
        c.send(auth);
        await expectErrorClose(c, code, 4401).catch((e) => { throw new Error(`${what} (key: ${withKey}): ${e.message}`); });
      }
    }
    // A token of another project is valid but opens only that project; beside this project's
    // key it is a mismatch.
    const { c, first } = await connectAuthed(srv.url, path, { token: otherProjectToken, action: 'create' });
    assert.ok(['connected', 'joined'].includes(first.event), JSON.stringify(first));
    await c.close();
    const m = await openWs(srv.url, path);
    m.send({ token: otherProjectToken, api_key: srv.apiKey, action: 'create' });
    await expectErrorClose(m, 'PROJECT_MISMATCH', 4403);
  });
}
