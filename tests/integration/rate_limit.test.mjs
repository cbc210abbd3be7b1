// REST rate limits (PROTOCOL 8f, 1.6) and login throttling (docs/auth.md): issue 12, finding 7.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, stopAll, api, cli, expectError, expectStatus, sleep,
} from './lib/server.mjs';

after(async () => { await stopAll(); });

function expect429(r, what) {
  expectError(r, 429, 'RATE_LIMIT_EXCEEDED', what);
  assert.match(r.headers.get('retry-after') ?? '', /^[1-9][0-9]*$/, `${what}: Retry-After`);
  assert.match(r.headers.get('x-ratelimit-limit') ?? '', /^[0-9]+$/, `${what}: X-RateLimit-Limit`);
  assert.equal(r.headers.get('x-ratelimit-remaining'), '0', `${what}: X-RateLimit-Remaining`);
  const reset = Number(r.headers.get('x-ratelimit-reset'));
  const now = Date.now() / 1000;
  assert.ok(reset >= Math.floor(now) && reset < now + 3600, `${what}: X-RateLimit-Reset ${reset} is Unix seconds`);
}

test('per API key and per user: the burst passes, the next request gets 429 with the rate-limit headers', async () => {
  // 0.01/s: nothing refills during the test.
  const srv = await startServer({ args: ['--http-rate-per-sec', '0.01', '--http-rate-burst', '4'] });
  const a = api(srv.url, srv.apiKey);
  const signup = await a.post('/auth-collections/signup', { email: 'rl@example.com', password: 'password123' });
  expectStatus(signup, 201, 'signup');  // 1 of the key's 4
  for (let i = 0; i < 3; i++) expectStatus(await a.get('/collections'), 200, `request ${i}`);
  const r = await a.get('/collections');
  expect429(r, 'key over its burst');
  assert.equal(r.headers.get('x-ratelimit-limit'), '4');
  // Another key of the project has its own bucket.
  const k2 = cli(['project', 'key', 'create', 'default', '--data', srv.dataDir, '--json']);
  assert.equal(k2.status, 0, k2.stderr);
  const other = k2.json.api_key ?? k2.json.key;
  assert.match(other ?? '', /^cb_/, k2.stdout);
  expectStatus(await a.get('/collections', { key: other }), 200, 'another key');
  // A token without a key: counted per user.
  const bearer = { authorization: `Bearer ${signup.json.access_token}` };
  for (let i = 0; i < 4; i++) expectStatus(await a.get('/collections', { noKey: true, headers: bearer }), 200, `user ${i}`);
  expect429(await a.get('/collections', { noKey: true, headers: bearer }), 'user over its burst');
  // Monitoring is not limited.
  expectStatus(await a.get('/health', { noKey: true }), 200, 'health');
  await srv.stop();
});

test('per client IP: every key and credential from one address shares the bucket', async () => {
  const srv = await startServer({ args: ['--http-ip-rate-per-sec', '0.01', '--http-ip-rate-burst', '5'] });
  const a = api(srv.url, srv.apiKey);
  for (let i = 0; i < 5; i++) {
    // Unauthenticated requests count too (the limit runs before authentication).
    const r = i % 2 ? await a.get('/collections') : await a.get('/collections', { noKey: true });
    assert.ok(r.status === 200 || r.status === 401, `request ${i}: ${r.status}`);
  }
  expect429(await a.get('/collections'), 'IP over its burst');
  expect429(await a.get('/collections', { key: 'cb_' + 'x'.repeat(40) }), 'any key from that IP');
  await srv.stop();
});

test('login throttling per email: lockout after 5 failures, exponential, reset by a success', async () => {
  // The default thresholds (5 per email, 50 per IP); a first lockout of 3 s, longer than a
  // password hash on a loaded machine, so the attempt after the 5th failure meets it.
  const srv = await startServer({ args: ['--login-delay-base-ms', '3000'] });
  const a = api(srv.url, srv.apiKey);
  expectStatus(await a.post('/auth-collections/signup', { email: 'bob@example.com', password: 'password123' }), 201);
  const login = (password, email = 'bob@example.com') => a.post('/auth-collections/login', { email, password });
  for (let i = 0; i < 5; i++) expectError(await login(`wrong-${i}`), 401, 'INVALID_CREDENTIALS', `failure ${i}`);
  const locked = await login('wrong-5');
  expect429(locked, '6th attempt');
  expect429(await login('password123'), 'even the right password while locked out');
  expect429(await login('wrong', 'BOB@example.com'), 'the email is compared lower-cased');
  // Another email is not affected (the IP threshold is 50).
  expectError(await login('wrong', 'nobody@example.com'), 401, 'INVALID_CREDENTIALS', 'other email');

  // Wait out the lockout (polling: refused attempts during it do not count).
  const waitOut = async () => {
    const deadline = Date.now() + 30000;
    for (;;) {
      const r = await login('password123');
      if (r.status !== 429) return r;
      assert.ok(Date.now() < deadline, 'still locked out after 30 s');
      await sleep(250);
    }
  };
  const first = Number(locked.headers.get('retry-after'));
  assert.ok(first >= 1 && first <= 3, `first lockout ${first} s`);
  // A failure after the lockout locks out again, for longer (6 s instead of 3 s).
  const t0 = Date.now();
  let r;
  for (;;) {
    r = await login('wrong-again');
    if (r.status !== 429) break;
    await sleep(100);
  }
  expectError(r, 401, 'INVALID_CREDENTIALS', 'one attempt after the lockout');
  const second = await login('password123');
  expect429(second, 'locked out again');
  const secondS = Number(second.headers.get('retry-after'));
  assert.ok(secondS > 3 && secondS <= 6, `the second lockout (${secondS} s) is twice the first (3 s)`);
  const ok = await waitOut();
  expectStatus(ok, 200, 'the right password after the lockout');
  assert.ok(Date.now() - t0 >= 3000, 'the lockout lasted');
  // The success reset the count: the next failure is a plain 401.
  expectError(await login('wrong'), 401, 'INVALID_CREDENTIALS', 'after a success');
  await srv.stop();
});

test('login throttling per IP, across emails', async () => {
  // A long lockout: hashing on a loaded machine must not outlast it.
  const srv = await startServer({ args: ['--login-ip-max-failures', '3', '--login-delay-base-ms', '60000'] });
  const a = api(srv.url, srv.apiKey);
  for (let i = 0; i < 3; i++) {
    expectError(await a.post('/auth-collections/login', { email: `u${i}@example.com`, password: 'wrong-pass' }),
      401, 'INVALID_CREDENTIALS', `email ${i}`);
  }
  expect429(await a.post('/auth-collections/login', { email: 'u9@example.com', password: 'wrong-pass' }), 'a 4th email from the IP');
  await srv.stop();
});
