// Soak: churn and memory (issue 12). Drives one running cocobase server with many realtime
// clients that connect, watch (some filtered, some resuming), join rooms, broadcast and drop
// (abruptly, cleanly, or after not reading for a while) while a REST writer creates, updates and
// deletes documents, some of them ~100 KB so resumes replay a lot. Samples the server's RSS and
// open fds every interval, stops the load, waits a quiet period and prints the verdict against
// the aim: RSS when quiet within 1.5x of the RSS after the first minute; fds back to the count
// before any client connected. A measurement: exits 0 whether or not the aim is met.
//
// node --experimental-websocket --no-warnings bench/soak/soak.mjs \
//   --url http://127.0.0.1:PORT --api-key cb_... --pid PID [--duration-s 600] [--clients 200]
//   [--quiet-s 30] [--sample-s 10] [--write-rate 10] [--big-fraction 0.05] [--big-bytes 100000]
//   [--rooms 20] [--resume-back 1000] [--max-live-docs 400] [--seed 1]
// Every flag also reads SOAK_<NAME> from the environment (SOAK_DURATION_S=120).

import fs from 'node:fs';
import http from 'node:http';
import { rawWs } from './raw_ws.mjs';

// ---------------------------------------------------------------- options
const DEFAULTS = {
  url: '', 'api-key': '', pid: '', 'duration-s': 600, clients: 200, 'quiet-s': 30, 'sample-s': 10,
  'write-rate': 10, 'big-fraction': 0.05, 'big-bytes': 100000, rooms: 20, 'resume-back': 1000,
  'max-live-docs': 400, seed: 1,
};
function parseOptions(argv) {
  const o = {};
  for (const [k, v] of Object.entries(DEFAULTS)) {
    const env = process.env[`SOAK_${k.toUpperCase().replace(/-/g, '_')}`];
    o[k] = env !== undefined && env !== '' ? env : v;
  }
  for (let i = 0; i < argv.length; i++) {
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(argv[i]);
    if (!m || !(m[1] in DEFAULTS)) { console.error(`unknown argument ${argv[i]}`); process.exit(2); }
    o[m[1]] = m[2] !== undefined ? m[2] : argv[++i];
  }
  for (const k of Object.keys(DEFAULTS)) if (typeof DEFAULTS[k] === 'number') o[k] = Number(o[k]);
  if (!o.url || !o['api-key'] || !o.pid) { console.error('--url, --api-key and --pid are required'); process.exit(2); }
  return o;
}
const opt = parseOptions(process.argv.slice(2));
const target = new URL(opt.url);
const HOST = target.hostname;
const PORT = Number(target.port);
const KEY = opt['api-key'];
const PID = Number(opt.pid);

// A seeded generator so two runs make the same choices (timing still differs).
let seedState = opt.seed >>> 0 || 1;
function rnd() {
  seedState = (seedState + 0x6d2b79f5) >>> 0;
  let t = seedState;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const between = (a, b) => a + rnd() * (b - a);
const pickInt = (n) => Math.floor(rnd() * n);
const sleep = (ms) => new Promise((r) => setTimeout(r, Math.max(0, ms)));

// ---------------------------------------------------------------- counters
const stats = {
  sessions: 0, open: 0, events: 0, replayed: 0, replayDone: 0, resyncs: 0, bytesIn: 0, sent: 0,
  writes: 0, writeErrors: 0, bigWrites: 0, exits: {}, closeCodes: {}, connectErrors: 0,
  roles: {},
};
const bump = (m, k) => { m[k] = (m[k] || 0) + 1; };
const COLLECTIONS = ['soak_a', 'soak_b'];
const headSeq = { soak_a: 0, soak_b: 0 };  // highest seq seen, for resume points

// ---------------------------------------------------------------- server samples
function sample() {
  try {
    const status = fs.readFileSync(`/proc/${PID}/status`, 'utf8');
    const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
    const fds = fs.readdirSync(`/proc/${PID}/fd`).length;
    return { rssMb: rssKb / 1024, fds };
  } catch (e) {
    return { rssMb: NaN, fds: NaN, gone: true };
  }
}

/** What the server's fds point at (sockets and anon inodes by kind, files by path), as counts. */
function fdTargets() {
  const out = {};
  try {
    for (const fd of fs.readdirSync(`/proc/${PID}/fd`)) {
      let t;
      try { t = fs.readlinkSync(`/proc/${PID}/fd/${fd}`); } catch { continue; }
      t = t.replace(/^socket:\[\d+\]$/, 'socket').replace(/^pipe:\[\d+\]$/, 'pipe');
      out[t] = (out[t] || 0) + 1;
    }
  } catch { /* process gone */ }
  return out;
}
function fdDiff(from, to) {
  const parts = [];
  for (const k of new Set([...Object.keys(from), ...Object.keys(to)])) {
    const d = (to[k] || 0) - (from[k] || 0);
    if (d) parts.push(`${d > 0 ? '+' : ''}${d} ${k}`);
  }
  return parts.length ? parts.join(', ') : 'none';
}

// ---------------------------------------------------------------- REST writer
const agent = new http.Agent({ keepAlive: true, maxSockets: 2 });
function request(method, path, body) {
  return new Promise((resolve) => {
    const data = body === undefined ? null : Buffer.from(JSON.stringify(body));
    const req = http.request({
      host: HOST, port: PORT, method, path, agent,
      headers: { 'x-api-key': KEY, 'content-type': 'application/json', ...(data ? { 'content-length': data.length } : {}) },
    }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', () => resolve({ status: 0, text: '' }));
    });
    req.setTimeout(30000, () => req.destroy(new Error('timeout')));
    req.on('error', (e) => resolve({ status: 0, text: String(e.message) }));
    if (data) req.write(data);
    req.end();
  });
}

const bigFiller = 'x'.repeat(opt['big-bytes']);
function docData(n) {
  const big = rnd() < opt['big-fraction'];
  if (big) stats.bigWrites++;
  return { kind: big ? 'big' : 'small', n: pickInt(1000), seq_hint: n, text: big ? bigFiller : `note ${n}`, tags: ['soak', `t${n % 7}`] };
}

async function writer(until) {
  const live = { soak_a: [], soak_b: [] };
  const interval = 1000 / opt['write-rate'];
  let next = Date.now();
  let i = 0;
  while (Date.now() < until) {
    const coll = COLLECTIONS[pickInt(COLLECTIONS.length)];
    const ids = live[coll];
    const r = rnd();
    let res;
    if (ids.length < 20 || (ids.length < opt['max-live-docs'] && r < 0.5)) {
      res = await request('POST', `/collections/${coll}/documents`, { data: docData(i) });
      if (res.status === 201) { try { ids.push(JSON.parse(res.text).id); } catch { /* counted below */ } }
    } else if (r < 0.85) {
      const id = ids[pickInt(ids.length)];
      res = await request('PATCH', `/collections/${coll}/documents/${id}`, { data: docData(i) });
    } else {
      const id = ids.splice(pickInt(ids.length), 1)[0];
      res = await request('DELETE', `/collections/${coll}/documents/${id}`);
    }
    if (res.status >= 200 && res.status < 300) stats.writes++; else stats.writeErrors++;
    if (i % 50 === 0) await request('GET', '/realtime/rooms');  // the REST view of rooms and presence
    i++;
    next += interval;
    const now = Date.now();
    if (next < now - 1000) next = now;  // fell behind: do not burst to catch up
    await sleep(next - now);
  }
}

// ---------------------------------------------------------------- realtime sessions
const openSessions = new Set();

/** One connection with its role; resolves when it is gone. */
async function session(slot, until) {
  const role = pickRole();
  bump(stats.roles, role.name);
  const lifetime = Math.min(between(5000, 45000), until - Date.now());
  if (lifetime < 500) return;
  // how this connection ends: abrupt FIN, abrupt RST, clean close, or a stall (stops reading)
  // (half the resuming watchers stall from the start: a replay queued to a client that does not
  // read is the case the issue measured at ~53 MB per watcher)
  const r = rnd();
  const exit = role.name === 'watch-resume' && rnd() < 0.5 ? 'stall-early'
    : r < 0.35 ? 'drop' : r < 0.45 ? 'reset' : r < 0.8 ? 'clean' : 'stall';
  // a share of the clean closers use the platform WebSocket, like a browser app
  const useApi = exit === 'clean' && rnd() < 0.5;
  bump(stats.exits, exit);
  stats.sessions++;
  if (useApi) await apiSession(slot, role, lifetime);
  else await rawSession(slot, role, lifetime, exit);
}

function pickRole() {
  const r = rnd();
  const coll = COLLECTIONS[pickInt(COLLECTIONS.length)];
  if (r < 0.2) return { name: 'watch', path: `/realtime/collections/${coll}`, auth: { api_key: KEY }, coll };
  if (r < 0.3) {
    const filters = rnd() < 0.5 ? { kind: 'small' } : { n_gte: 500 };
    return { name: 'watch-filter', path: `/realtime/collections/${coll}`, auth: { api_key: KEY, filters }, coll };
  }
  if (r < 0.5) {
    const resume = Math.max(0, headSeq[coll] - pickInt(opt['resume-back'] + 1));
    const auth = { api_key: KEY, resume_from: resume };
    if (rnd() < 0.3) auth.filters = { kind: 'big' };
    return { name: 'watch-resume', path: `/realtime/collections/${coll}`, auth, coll };
  }
  if (r < 0.65) {
    const u = `b${pickInt(100000)}`;
    return { name: 'broadcast', path: '/realtime/broadcast', auth: { api_key: KEY, user_id: u, user_name: `user ${u}` }, talk: 'data' };
  }
  const room = `soak-room-${pickInt(opt.rooms)}`;
  const u = `r${pickInt(300)}`;  // repeated ids: a second connection of one participant
  const auth = { api_key: KEY, user_id: u, user_name: `user ${u}`, action: rnd() < 0.8 ? 'create' : 'join', room_title: room };
  if (rnd() < 0.5) auth.history = pickInt(30);
  return { name: 'room', path: `/realtime/rooms/${room}`, auth, talk: 'content' };
}

function onText(role, text) {
  stats.bytesIn += text.length;
  // big frames: read the few members we need without parsing 100 KB
  if (role.coll) {
    const ev = /^\{"event":"([a-z_]+)"/.exec(text)?.[1];
    const seq = Number(/"(?:seq|head_seq)":(\d+)/.exec(text)?.[1] ?? NaN);
    if (seq > headSeq[role.coll]) headSeq[role.coll] = seq;
    if (ev === 'create' || ev === 'update' || ev === 'delete') {
      stats.events++;
      if (text.includes('"replay":true')) stats.replayed++;
    } else if (ev === 'replay_done') stats.replayDone++;
    else if (ev === 'resync_required') stats.resyncs++;
  } else {
    stats.events++;
  }
}

function talkLoop(role, sendFn, isOpen) {
  // below the server's default --ws-rate-per-sec 20: at most one message every 0.5 s
  let n = 0;
  let t = null;
  const tick = () => {
    if (!isOpen()) return;
    if (role.talk) sendFn({ type: 'message', [role.talk]: { text: `hello ${n}`, n: n++ } });
    else sendFn({ type: 'ping' });
    stats.sent++;
    t = setTimeout(tick, role.talk ? between(500, 3000) : between(5000, 15000));
  };
  t = setTimeout(tick, between(200, 1500));
  return () => clearTimeout(t);
}

async function rawSession(slot, role, lifetime, exit) {
  let closeInfo = null;
  let ws;
  let resolveClosed;
  const closedP = new Promise((r) => { resolveClosed = r; });
  try {
    ws = await rawWs({
      host: HOST, port: PORT, path: role.path,
      onMessage: (t) => onText(role, t),
      onClose: (info) => { closeInfo = info; resolveClosed(); },
    });
  } catch (e) {
    stats.connectErrors++;
    return;
  }
  stats.open++;
  const entry = { stop: (how) => (how === 'clean' ? ws.closeClean() : ws.drop()) };
  openSessions.add(entry);
  ws.send(role.auth);
  const stopTalk = talkLoop(role, (m) => ws.send(m), () => !ws.closed);
  try {
    const lifeEnd = Date.now() + lifetime;
    if (exit === 'stall' || exit === 'stall-early') {
      // read for a while (or not at all), then stop reading while the server keeps queueing,
      // then drop or recover
      await Promise.race([closedP, sleep(exit === 'stall' ? lifetime * 0.3 : 0)]);
      if (!closeInfo) {
        ws.pause();
        await Promise.race([closedP, sleep(Math.max(0, lifeEnd - Date.now()))]);
        if (!closeInfo) {
          if (rnd() < 0.5) ws.drop();
          else { ws.resume(); await Promise.race([closedP, sleep(2000)]); if (!closeInfo) await ws.closeClean(); }
        }
      }
    } else {
      await Promise.race([closedP, sleep(lifetime)]);
      if (!closeInfo) {
        if (exit === 'drop') ws.drop();
        else if (exit === 'reset') ws.reset();
        else await ws.closeClean();
      }
    }
  } finally {
    stopTalk();
    if (!ws.closed) ws.drop();
    openSessions.delete(entry);
    stats.open--;
    if (closeInfo && closeInfo.how === 'server-close') bump(stats.closeCodes, closeInfo.reason ? `${closeInfo.code} ${closeInfo.reason}` : closeInfo.code);
  }
}

async function apiSession(slot, role, lifetime) {
  let ws;
  try {
    ws = new WebSocket(`ws://${HOST}:${PORT}${role.path}`);
  } catch {
    stats.connectErrors++;
    return;
  }
  let closed = false;
  let serverClose = null;
  const closedP = new Promise((r) => ws.addEventListener('close', (ev) => { closed = true; serverClose = ev; r(); }));
  const opened = await Promise.race([
    new Promise((r) => ws.addEventListener('open', () => r(true), { once: true })),
    closedP.then(() => false),
    sleep(10000).then(() => false),
  ]);
  if (!opened) {
    stats.connectErrors++;
    try { ws.close(); } catch { /* not open */ }
    return;
  }
  stats.open++;
  let localClose = false;
  const entry = { stop: () => { localClose = true; try { ws.close(1000); } catch { /* closing */ } return Promise.race([closedP, sleep(5000)]); } };
  openSessions.add(entry);
  ws.addEventListener('message', (ev) => onText(role, typeof ev.data === 'string' ? ev.data : ''));
  ws.send(JSON.stringify(role.auth));
  const stopTalk = talkLoop(role, (m) => { if (ws.readyState === 1) ws.send(JSON.stringify(m)); }, () => !closed);
  try {
    await Promise.race([closedP, sleep(lifetime)]);
    if (!closed) { localClose = true; ws.close(1000); await Promise.race([closedP, sleep(5000)]); }
  } finally {
    stopTalk();
    openSessions.delete(entry);
    stats.open--;
    if (serverClose && !localClose) bump(stats.closeCodes, serverClose.reason ? `${serverClose.code} ${serverClose.reason}` : serverClose.code);
  }
}

async function slotLoop(slot, until) {
  await sleep(between(0, 5000));  // spread the first connects
  while (Date.now() < until - 1000) {
    await session(slot, until);
    await sleep(between(100, 2000));
  }
}

// One REST write and read per collection and one short session per kind of endpoint, all
// closed: what the server opens lazily on first use (a reader's WAL handle, an event loop) is
// then part of the second baseline, so the fd verdict can be read with and without it.
async function warmUp() {
  const warmAgent = new http.Agent({ keepAlive: false });
  for (const coll of COLLECTIONS) {
    for (const [method, path, body] of [['POST', `/collections/${coll}/documents`, { data: { kind: 'warm', n: 0 } }], ['GET', `/collections/${coll}/documents?limit=1`]]) {
      await new Promise((resolve) => {
        const data = body ? Buffer.from(JSON.stringify(body)) : null;
        const req = http.request({ host: HOST, port: PORT, method, path, agent: warmAgent, headers: { 'x-api-key': KEY, 'content-type': 'application/json', ...(data ? { 'content-length': data.length } : {}) } },
          (res) => { res.resume(); res.on('end', resolve); res.on('error', resolve); });
        req.on('error', resolve);
        if (data) req.write(data);
        req.end();
      });
    }
  }
  // concurrent reads, so that every pooled store reader has opened its files
  for (let round = 0; round < 3; round++) {
    await Promise.all(Array.from({ length: 16 }, () => new Promise((resolve) => {
      const req = http.request({ host: HOST, port: PORT, path: `/collections/${COLLECTIONS[0]}/documents`, agent: warmAgent, headers: { 'x-api-key': KEY } },
        (res) => { res.resume(); res.on('end', resolve); res.on('error', resolve); });
      req.on('error', resolve);
      req.end();
    })));
  }
  for (const [path, auth] of [[`/realtime/collections/${COLLECTIONS[0]}`, { api_key: KEY, resume_from: 0 }],
    ['/realtime/broadcast', { api_key: KEY, user_id: 'warm' }], ['/realtime/rooms/warm', { api_key: KEY, user_id: 'warm', action: 'create' }]]) {
    let first;
    const got = new Promise((r) => { first = r; });
    const ws = await rawWs({ host: HOST, port: PORT, path, onMessage: () => first(), onClose: () => first() });
    ws.send(auth);
    await Promise.race([got, sleep(5000)]);
    await ws.closeClean();
  }
  warmAgent.destroy();
  await sleep(2000);  // let the server finish closing what the warm-up opened
}

// ---------------------------------------------------------------- table
const fmt = (x, w, d = 1) => (Number.isFinite(x) ? x.toFixed(d) : String(x)).padStart(w);
function header() {
  console.log(`${'phase'.padEnd(6)} ${'t_s'.padStart(5)} ${'rss_MB'.padStart(8)} ${'fds'.padStart(5)} ${'open_ws'.padStart(7)} ` +
    `${'sessions'.padStart(8)} ${'writes'.padStart(7)} ${'events_in'.padStart(9)} ${'replayed'.padStart(8)} ${'MB_in'.padStart(8)}`);
}
function row(phase, t0, s) {
  console.log(`${phase.padEnd(6)} ${fmt((Date.now() - t0) / 1000, 5, 0)} ${fmt(s.rssMb, 8)} ${fmt(s.fds, 5, 0)} ${fmt(stats.open, 7, 0)} ` +
    `${fmt(stats.sessions, 8, 0)} ${fmt(stats.writes, 7, 0)} ${fmt(stats.events, 9, 0)} ${fmt(stats.replayed, 8, 0)} ${fmt(stats.bytesIn / 1048576, 8)}`);
}
const median = (xs) => { const v = xs.filter(Number.isFinite).sort((a, b) => a - b); return v.length ? v[Math.floor((v.length - 1) / 2)] : NaN; };

// ---------------------------------------------------------------- main
async function main() {
  const sampleMs = opt['sample-s'] * 1000;
  console.log(`soak: ${new Date().toISOString()} server pid ${PID} at ${opt.url}`);
  console.log(`soak: duration ${opt['duration-s']} s, ${opt.clients} client slots, quiet ${opt['quiet-s']} s, sample every ${opt['sample-s']} s, ` +
    `writes ${opt['write-rate']}/s (${opt['big-fraction'] * 100}% of ${opt['big-bytes']} B), ${opt.rooms} rooms, resume back <= ${opt['resume-back']}, seed ${opt.seed}`);
  const base = sample();
  const baseTargets = fdTargets();
  header();
  const t0 = Date.now();
  row('base', t0, base);
  await warmUp();
  const warm = sample();
  const warmTargets = fdTargets();
  row('warm', t0, warm);

  const until = t0 + opt['duration-s'] * 1000;
  const loadSamples = [];
  let firstMinute = null;
  const sampler = setInterval(() => {
    const s = sample();
    s.t = (Date.now() - t0) / 1000;
    loadSamples.push(s);
    if (!firstMinute && s.t >= 59) firstMinute = s;
    row('load', t0, s);
  }, sampleMs);

  const writerDone = writer(until);
  const slots = [];
  for (let i = 0; i < opt.clients; i++) slots.push(slotLoop(i, until));
  await Promise.all([writerDone, ...slots]);

  // load stops: whatever is still open is closed (half cleanly, half dropped), the writer's
  // keep-alive connections are closed too
  let k = 0;
  await Promise.race([Promise.all([...openSessions].map((e) => e.stop(k++ % 2 ? 'clean' : 'drop'))), sleep(10000)]);
  agent.destroy();
  clearInterval(sampler);
  const tStop = Date.now();
  const atStop = sample();
  row('stop', t0, atStop);

  const quietSamples = [];
  while (Date.now() - tStop < opt['quiet-s'] * 1000) {
    await sleep(Math.min(sampleMs, opt['quiet-s'] * 1000 - (Date.now() - tStop)));
    const s = sample();
    quietSamples.push(s);
    row('quiet', t0, s);
  }
  const quiet = quietSamples.at(-1) ?? sample();
  const quietTargets = fdTargets();
  if (!firstMinute) firstMinute = loadSamples.at(-1) ?? atStop;

  const peak = loadSamples.reduce((m, s) => (s.rssMb > m.rssMb ? s : m), { rssMb: -1, fds: NaN, t: NaN });
  const peakFds = loadSamples.reduce((m, s) => Math.max(m, s.fds || 0), 0);
  console.log('');
  console.log(`sessions ${stats.sessions} (roles ${JSON.stringify(stats.roles)}; ends ${JSON.stringify(stats.exits)}; connect errors ${stats.connectErrors})`);
  console.log(`server closes seen by clients: ${JSON.stringify(stats.closeCodes)}`);
  console.log(`writes ok ${stats.writes} (big ${stats.bigWrites}), failed ${stats.writeErrors}; client messages sent ${stats.sent}; ` +
    `messages in ${stats.events} (${(stats.bytesIn / 1048576).toFixed(1)} MB), replayed events ${stats.replayed}, replay_done ${stats.replayDone}, resync_required ${stats.resyncs}`);
  console.log(`RSS MB: baseline ${base.rssMb.toFixed(1)}, after first minute ${firstMinute.rssMb.toFixed(1)} (t=${Math.round(firstMinute.t ?? 0)} s), ` +
    `median under load ${median(loadSamples.map((s) => s.rssMb)).toFixed(1)}, peak ${peak.rssMb.toFixed(1)} (t=${Math.round(peak.t)} s), ` +
    `quiet ${quiet.rssMb.toFixed(1)} (${(quiet.rssMb / firstMinute.rssMb).toFixed(2)}x the first minute)`);
  console.log(`fds: before any client ${base.fds}, after warm-up ${warm.fds}, median under load ${median(loadSamples.map((s) => s.fds))}, peak ${peakFds}, quiet ${quiet.fds}`);
  console.log(`fds when quiet: ${Object.entries(quietTargets).map(([k, v]) => `${v} ${k}`).join(', ')}`);
  console.log(`fds quiet vs before any client: ${fdDiff(baseTargets, quietTargets)}`);
  console.log(`fds quiet vs after warm-up:     ${fdDiff(warmTargets, quietTargets)}`);
  const rssOk = quiet.rssMb <= 1.5 * firstMinute.rssMb;
  const fdOk = quiet.fds <= base.fds;
  const fdWarmOk = quiet.fds <= warm.fds;
  const alive = !quiet.gone;
  const rssText = `RSS when quiet ${quiet.rssMb.toFixed(1)} MB vs 1.5 x ${firstMinute.rssMb.toFixed(1)} = ${(1.5 * firstMinute.rssMb).toFixed(1)} MB: ${rssOk ? 'ok' : 'NOT met'}`;
  console.log('');
  console.log(`VERDICT (aim as written; fd baseline = before any client): ${alive && rssOk && fdOk ? 'AIM MET' : 'AIM NOT MET'}` +
    ` | ${rssText} | fds when quiet ${quiet.fds} vs ${base.fds}: ${fdOk ? 'ok' : 'NOT met'}` +
    (alive ? '' : ' | the server process is gone'));
  console.log(`VERDICT (fd baseline = after warm-up):                     ${alive && rssOk && fdWarmOk ? 'AIM MET' : 'AIM NOT MET'}` +
    ` | ${rssText} | fds when quiet ${quiet.fds} vs ${warm.fds}: ${fdWarmOk ? 'ok' : 'NOT met'}`);
}

main().then(() => process.exit(0), (e) => { console.error(e); process.exit(0); });
