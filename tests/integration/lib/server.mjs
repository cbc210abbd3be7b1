// Test support for the black-box tests: start the real `cocobase` binary,
// run its CLI verbs, and talk to it over HTTP.
//
// The binary comes from $COCOBASE_BIN (default <repo>/build/cocobase), so the
// same tests run against an ASan build.

import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';

const here = path.dirname(fileURLToPath(import.meta.url));
export const REPO = path.resolve(here, '..', '..', '..');
export const BIN = process.env.COCOBASE_BIN || path.join(REPO, 'build', 'cocobase');

export const START_TIMEOUT_MS = 20000;

/**
 * Why the binary under test cannot show a measurement, or null. A sanitizer build keeps freed
 * memory in quarantine (RSS bounds mean nothing there), and UBSan's vptr check opens a pipe per
 * check, so it reports false errors once the process is out of descriptors.
 */
export const SANITIZED = (() => {
  const r = spawnSync('ldd', [BIN], { encoding: 'utf8' });
  const m = (r.stdout || '').match(/lib(asan|tsan|ubsan)\.so/);
  return m ? `a ${m[1]} build` : null;
})();
const STOP_TIMEOUT_MS = 10000;
const REQUEST_TIMEOUT_MS = 30000; // a hung server fails the test instead of hanging the suite

// Every server started by this process, and every temp dir it made, so that
// stopAll() (called from each file's after()) can clean up even when a test
// failed half-way.
const running = new Set();
const tempDirs = new Set();

process.on('exit', () => {
  for (const s of running) {
    try { s.proc.kill('SIGKILL'); } catch { /* already gone */ }
  }
  for (const d of tempDirs) {
    try { fs.rmSync(d, { recursive: true, force: true }); } catch { /* ignore */ }
  }
});

export async function makeTempDir(prefix = 'cocobase-it-') {
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), prefix));
  tempDirs.add(dir);
  return dir;
}

export async function removeTempDir(dir) {
  await fsp.rm(dir, { recursive: true, force: true });
  tempDirs.delete(dir);
}

function waitExit(proc, ms) {
  if (proc.exitCode !== null || proc.signalCode !== null) {
    return Promise.resolve({ code: proc.exitCode, signal: proc.signalCode, timedOut: false });
  }
  return new Promise((resolve) => {
    let timer;
    const onExit = (code, signal) => { clearTimeout(timer); resolve({ code, signal, timedOut: false }); };
    proc.once('exit', onExit);
    if (ms !== undefined) {
      timer = setTimeout(() => { proc.off('exit', onExit); resolve({ timedOut: true }); }, ms);
    }
  });
}

/**
 * Start `cocobase serve` on an ephemeral port.
 * Resolves once the `Listening on` line appeared on stdout.
 * `wrap` runs it under a command that execs it (prlimit, taskset).
 * @returns {{url, apiKey, dataDir, proc, stop(), kill(signal), stdout(), stderr()}}
 */
export async function startServer({ args = [], env = {}, dataDir, apiKey, wrap = [] } = {}) {
  if (!fs.existsSync(BIN)) {
    throw new Error(`cocobase binary not found at ${BIN} (set COCOBASE_BIN)`);
  }
  const ownsDir = !dataDir;
  if (!dataDir) dataDir = await makeTempDir();
  const listen = args.includes('--listen') ? [] : ['--listen', '127.0.0.1:0'];  // a fixed port: restarts
  // `wrap`: a command that execs the server, e.g. ['prlimit', '--nofile=256:256'] (the pid stays the server's).
  const cmd = [...wrap, BIN, 'serve', ...listen, '--data', dataDir, ...args];
  const proc = spawn(cmd[0], cmd.slice(1), {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  const cap = (s) => (s.length > 1 << 20 ? s.slice(-(1 << 19)) : s);
  proc.stdout.setEncoding('utf8');
  proc.stderr.setEncoding('utf8');
  proc.stderr.on('data', (c) => { err = cap(err + c); });

  const server = {
    url: undefined,
    apiKey,
    dataDir,
    proc,
    stdout: () => out,
    stderr: () => err,
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) {
        proc.kill('SIGTERM');
        const r = await waitExit(proc, STOP_TIMEOUT_MS);
        if (r.timedOut) {
          proc.kill('SIGKILL');
          await waitExit(proc);
          running.delete(server);
          return { code: null, signal: 'SIGKILL', forced: true };
        }
      }
      running.delete(server);
      return { code: proc.exitCode, signal: proc.signalCode, forced: false };
    },
    async kill(signal = 'SIGKILL') {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
      const r = await waitExit(proc, STOP_TIMEOUT_MS);
      if (r.timedOut) { proc.kill('SIGKILL'); await waitExit(proc); }
      running.delete(server);
    },
    /** stop and remove the data dir if startServer created it */
    async cleanup() {
      await server.stop();
      if (ownsDir) await removeTempDir(dataDir);
    },
  };
  running.add(server);

  await new Promise((resolve, reject) => {
    let done = false;
    const finish = (e) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      proc.off('exit', onExit);
      if (e) reject(e); else resolve();
    };
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      finish(new Error(`server did not print 'Listening on' within ${START_TIMEOUT_MS} ms\nstdout:\n${out}\nstderr:\n${err}`));
    }, START_TIMEOUT_MS);
    const onExit = (code, signal) => {
      // give stderr a moment to drain into `err`
      setTimeout(() => finish(new Error(`server exited (code ${code}, signal ${signal}) before listening\nstdout:\n${out}\nstderr:\n${err}`)), 50);
    };
    proc.once('exit', onExit);
    proc.once('error', (e) => finish(e));
    proc.stdout.on('data', (c) => {
      out = cap(out + c);
      const k = out.match(/Project 'default' API key: (cb_[A-Za-z0-9]{40})\b/);
      if (k && !server.apiKey) server.apiKey = k[1];
      const m = out.match(/Listening on (http:\/\/[^\s]+)/);
      if (m && !server.url) {
        server.url = m[1].replace(/\/$/, '');
        finish();
      }
    });
  });
  return server;
}

/** Stop every server this process started and remove every temp dir. */
export async function stopAll() {
  await Promise.all([...running].map((s) => s.stop()));
  for (const d of [...tempDirs]) await removeTempDir(d);
}

/**
 * Run a CLI verb synchronously: cli(['project', 'create', 'b', '--data', dir, '--json']).
 * @returns {{status, stdout, stderr, json}} json = last stdout line parsed, if it is JSON.
 */
export function cli(args, { env = {} } = {}) {
  const r = spawnSync(BIN, args, { encoding: 'utf8', timeout: 20000, env: { ...process.env, ...env } });
  if (r.error) throw r.error;
  let json;
  const lines = (r.stdout || '').split('\n').map((l) => l.trim()).filter(Boolean);
  if (lines.length) {
    try { json = JSON.parse(lines[lines.length - 1]); } catch { /* not JSON */ }
  }
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr, json };
}

// ---------------------------------------------------------------------------
// HTTP helpers

/**
 * Problems with the REST error body (PROTOCOL 1.6 / CONV-07) seen by any
 * request made through api(). rest.test.mjs asserts this list is empty at
 * the end; other files may too.
 */
export const errorShapeViolations = [];

export function errorShapeProblems(status, contentType, json) {
  const problems = [];
  if (!/^application\/json\b/i.test(contentType || '')) problems.push(`content-type is ${JSON.stringify(contentType)}`);
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    problems.push('body is not a JSON object');
    return problems;
  }
  if (typeof json.detail !== 'string') problems.push(`detail is not a string: ${JSON.stringify(json.detail)}`);
  if (typeof json.code !== 'string') problems.push(`code is not a string: ${JSON.stringify(json.code)}`);
  if (status === 422) {
    if (!Array.isArray(json.errors) || json.errors.length === 0) {
      problems.push('422 without a non-empty errors array');
    } else {
      for (const e of json.errors) {
        if (!e || !Array.isArray(e.loc) || e.loc.length === 0 || !['body', 'query', 'path'].includes(e.loc[0])) {
          problems.push(`bad errors[].loc: ${JSON.stringify(e)}`);
        }
        if (!e || typeof e.msg !== 'string') problems.push(`bad errors[].msg: ${JSON.stringify(e)}`);
        if (!e || typeof e.type !== 'string') problems.push(`bad errors[].type: ${JSON.stringify(e)}`);
      }
    }
  }
  return problems;
}

function lowerKeys(h) {
  const o = {};
  for (const [k, v] of Object.entries(h || {})) o[k.toLowerCase()] = v;
  return o;
}

/**
 * api(url, key, {onResponse}) -> { req, get, post, patch, put, del, url, key }
 *  - onResponse(method, path, response): called with every response (e.g. to record them)
 * req(method, path, {body, headers, rawBody, key, noKey}) -> {status, headers, json, text, seq}
 *  - body: JSON-serialized, with content-type application/json
 *  - rawBody: sent as is (string, Buffer, FormData)
 *  - key: override the API key for this request; noKey: send none
 */
export function api(url, key, { onResponse } = {}) {
  async function req(method, p, { body, headers = {}, rawBody, key: k = key, noKey = false } = {}) {
    const h = {};
    if (!noKey && k !== undefined && k !== null) h['x-api-key'] = k;
    let b;
    if (rawBody !== undefined) {
      b = rawBody;
    } else if (body !== undefined) {
      b = JSON.stringify(body);
      h['content-type'] = 'application/json';
    }
    Object.assign(h, lowerKeys(headers));
    for (const [hk, hv] of Object.entries(h)) if (hv === undefined || hv === null) delete h[hk];
    const res = await fetch(url + p, { method, headers: h, body: b, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    const text = await res.text();
    let json;
    if (text.length) {
      try { json = JSON.parse(text); } catch { json = undefined; }
    }
    const seqH = res.headers.get('x-cocobase-seq');
    const out = {
      status: res.status,
      headers: res.headers,
      json,
      text,
      seq: seqH === null ? null : Number(seqH),
      seqRaw: seqH,
    };
    if ((res.status < 200 || res.status > 299) && method !== 'HEAD' && method !== 'OPTIONS') {
      const problems = errorShapeProblems(res.status, res.headers.get('content-type'), json);
      if (problems.length) {
        errorShapeViolations.push(`${method} ${p} -> ${res.status}: ${problems.join('; ')} (body ${text.slice(0, 200)})`);
      }
    }
    if (onResponse) onResponse(method, p, out);
    return out;
  }
  return {
    url,
    key,
    req,
    get: (p, o) => req('GET', p, o),
    del: (p, o) => req('DELETE', p, o),
    post: (p, body, o = {}) => req('POST', p, { ...o, body }),
    patch: (p, body, o = {}) => req('PATCH', p, { ...o, body }),
    put: (p, body, o = {}) => req('PUT', p, { ...o, body }),
  };
}

/**
 * Send bytes exactly as given over a fresh TCP connection (Connection: close
 * is the caller's business) and parse the HTTP/1.1 response.
 * Used where fetch would normalise the request (header case, raw bytes in
 * the request line, bodies on GET).
 */
export function rawRequest(baseUrl, requestBytes, { timeoutMs = 10000 } = {}) {
  const u = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const sock = net.connect({ host: u.hostname, port: Number(u.port) });
    const chunks = [];
    const timer = setTimeout(() => { sock.destroy(); reject(new Error('raw request timed out')); }, timeoutMs);
    let parsed = null;
    const tryParse = () => {
      const buf = Buffer.concat(chunks);
      const headEnd = buf.indexOf('\r\n\r\n');
      if (headEnd < 0) return null;
      const head = buf.subarray(0, headEnd).toString('latin1');
      const lines = head.split('\r\n');
      const m = lines[0].match(/^HTTP\/1\.[01] (\d{3})/);
      if (!m) throw new Error(`bad status line: ${lines[0]}`);
      const headers = new Map();
      for (const l of lines.slice(1)) {
        const i = l.indexOf(':');
        if (i > 0) {
          const name = l.slice(0, i).trim().toLowerCase();
          const v = l.slice(i + 1).trim();
          headers.set(name, headers.has(name) ? `${headers.get(name)}, ${v}` : v);
        }
      }
      let rest = buf.subarray(headEnd + 4);
      let body;
      const status = Number(m[1]);
      if (status === 204 || status === 304) {
        body = Buffer.alloc(0);
      } else if (headers.has('content-length')) {
        const n = Number(headers.get('content-length'));
        if (rest.length < n) return null;
        body = rest.subarray(0, n);
      } else if (/chunked/i.test(headers.get('transfer-encoding') || '')) {
        const parts = [];
        let off = 0;
        for (;;) {
          const le = rest.indexOf('\r\n', off);
          if (le < 0) return null;
          const size = parseInt(rest.subarray(off, le).toString('latin1'), 16);
          if (Number.isNaN(size)) throw new Error('bad chunk size');
          if (size === 0) break;
          if (rest.length < le + 2 + size + 2) return null;
          parts.push(rest.subarray(le + 2, le + 2 + size));
          off = le + 2 + size + 2;
        }
        body = Buffer.concat(parts);
      } else {
        return null; // read until close
      }
      return { status, headers, body };
    };
    const finish = (r) => {
      clearTimeout(timer);
      sock.destroy();
      const text = r.body.toString('utf8');
      let json;
      try { json = text.length ? JSON.parse(text) : undefined; } catch { json = undefined; }
      resolve({ status: r.status, headers: { get: (n) => r.headers.get(n.toLowerCase()) ?? null }, text, json });
    };
    sock.on('data', (c) => {
      chunks.push(c);
      try {
        parsed = tryParse();
        if (parsed) finish(parsed);
      } catch (e) { clearTimeout(timer); sock.destroy(); reject(e); }
    });
    sock.on('end', () => {
      if (parsed) return;
      const buf = Buffer.concat(chunks);
      const headEnd = buf.indexOf('\r\n\r\n');
      if (headEnd < 0) { clearTimeout(timer); reject(new Error(`connection closed without a full response: ${buf.toString('latin1').slice(0, 200)}`)); return; }
      try {
        const r = tryParse();
        if (r) { finish(r); return; }
        const head = buf.subarray(0, headEnd).toString('latin1');
        const status = Number(head.match(/^HTTP\/1\.[01] (\d{3})/)[1]);
        const headers = new Map();
        for (const l of head.split('\r\n').slice(1)) {
          const i = l.indexOf(':');
          if (i > 0) headers.set(l.slice(0, i).trim().toLowerCase(), l.slice(i + 1).trim());
        }
        finish({ status, headers, body: buf.subarray(headEnd + 4) });
      } catch (e) { clearTimeout(timer); reject(e); }
    });
    sock.on('error', (e) => { if (!parsed) { clearTimeout(timer); reject(e); } });
    sock.write(requestBytes);
  });
}

/** Build a raw HTTP/1.1 request (Buffer). headers: array of [name, value] kept in the given case. */
export function buildRaw(baseUrl, method, target, headers = [], body) {
  const u = new URL(baseUrl);
  const bodyBuf = body === undefined ? null : (Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8'));
  let head = `${method} ${target} HTTP/1.1\r\nHost: ${u.host}\r\nConnection: close\r\n`;
  for (const [n, v] of headers) head += `${n}: ${v}\r\n`;
  if (bodyBuf) head += `Content-Length: ${bodyBuf.length}\r\n`;
  head += '\r\n';
  return bodyBuf ? Buffer.concat([Buffer.from(head, 'latin1'), bodyBuf]) : Buffer.from(head, 'latin1');
}

// ---------------------------------------------------------------------------
// Assertions shared by the files

export const TS_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
export const UUID4_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

export function assertTimestamp(ts, what = 'timestamp') {
  assert.equal(typeof ts, 'string', `${what} is not a string: ${JSON.stringify(ts)}`);
  assert.match(ts, TS_RE, `${what} ${ts} is not YYYY-MM-DDTHH:MM:SS.sssZ`);
  const d = new Date(ts);
  assert.ok(!Number.isNaN(d.getTime()), `${what} ${ts} does not parse`);
  assert.equal(d.toISOString(), ts, `${what} ${ts} is not a valid RFC 3339 instant`);
}

/** PROTOCOL 2: exactly six members with the right types. */
export function assertDocument(doc, { collection } = {}) {
  assert.ok(doc && typeof doc === 'object' && !Array.isArray(doc), `not a document: ${JSON.stringify(doc)}`);
  assert.deepEqual(Object.keys(doc).sort(), ['collection', 'collection_id', 'created_at', 'data', 'id', 'updated_at'],
    `document members: ${JSON.stringify(doc)}`);
  assert.match(doc.id, UUID4_RE, `id ${doc.id} is not a lowercase UUID v4`);
  assert.equal(typeof doc.collection, 'string');
  if (collection !== undefined) assert.equal(doc.collection, collection);
  assert.match(doc.collection_id, UUID4_RE, `collection_id ${doc.collection_id} is not a lowercase UUID v4`);
  assert.ok(doc.data && typeof doc.data === 'object' && !Array.isArray(doc.data), 'data is not an object');
  assertTimestamp(doc.created_at, 'created_at');
  assertTimestamp(doc.updated_at, 'updated_at');
  assert.ok(doc.updated_at >= doc.created_at, 'updated_at earlier than created_at');
}

/** Status + error body shape + code (PROTOCOL 1.6). */
export function expectError(res, status, code, what = '') {
  const ctx = `${what} -> ${res.status} ${res.text?.slice(0, 300)}`;
  assert.equal(res.status, status, `expected ${status} ${code}: ${ctx}`);
  const problems = errorShapeProblems(res.status, res.headers.get('content-type'), res.json);
  assert.deepEqual(problems, [], `error body shape: ${ctx}`);
  if (code !== undefined) assert.equal(res.json.code, code, `expected code ${code}: ${ctx}`);
}

export function expectStatus(res, status, what = '') {
  assert.equal(res.status, status, `${what}: expected ${status}, got ${res.status} ${res.text?.slice(0, 300)}`);
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** encode a list of [key, value] pairs the way the Go SDK does (both percent-encoded) */
export function qs(pairs) {
  return pairs.map(([k, v]) => (v === undefined ? encodeURIComponent(k) : `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)).join('&');
}
