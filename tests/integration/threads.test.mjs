// The server names its threads (docs/architecture.md, "Threads"), so `top -H`, `ps -T` and
// `perf` show which one is busy and an operator can renice or pin one of them.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { startServer, stopAll, sleep } from './lib/server.mjs';

after(async () => { await stopAll(); });

function threadNames(pid) {
  return fs.readdirSync(`/proc/${pid}/task`)
    .map((tid) => fs.readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim());
}

test('threads carry their role in their name', async () => {
  const srv = await startServer({ args: ['--io-threads', '3'] });
  // 'Listening on' is printed while the threads may still be naming themselves.
  const expected = ['cb-io-0', 'cb-io-1', 'cb-io-2', 'cb-store-writer', 'cb-checkpoint', 'cb-blocking'];
  let names = threadNames(srv.proc.pid);
  for (let i = 0; i < 100 && !expected.every((n) => names.includes(n)); i++) {
    await sleep(20);
    names = threadNames(srv.proc.pid);
  }
  for (const name of expected) {
    assert.ok(names.includes(name), `${name} missing from ${names.join(', ')}`);
  }
  assert.equal(names.filter((n) => n.startsWith('cb-io-')).length, 3, names.join(', '));
  assert.equal(names.filter((n) => n === 'cb-store-writer').length, 1, names.join(', '));
});
