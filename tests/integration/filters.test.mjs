// The filter language over REST (PROTOCOL 4, FLT-*), sorting / select / paging
// (4.10, 3.8: COL-15..17, COL-23), count (COL-18), aggregate (COL-19), and the
// query-string conventions CONV-11 / CONV-12.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, stopAll, api, errorShapeViolations, expectError, expectStatus, sleep, qs,
} from './lib/server.mjs';

let srv;
let a;
let D; // the created document D of table 4.9

// Document D's data, exactly as in PROTOCOL 4.9.
const D_DATA = {
  name: 'Alice Smith', email: 'alice@Example.com', age: 30, score: '85',
  zip: '01234', active: true, tags: ['admin', 'dev'],
  author: { role: 'admin', level: 3 }, deleted_at: null,
  check_in: 'yes', id: 'custom',
};

before(async () => {
  srv = await startServer();
  a = api(srv.url, srv.apiKey);
  const r = await a.post('/collections/documents?collection=people', { data: D_DATA });
  expectStatus(r, 201, 'create D');
  D = r.json;
  assert.deepEqual(D.data, D_DATA);
});

after(async () => { await stopAll(); });

// Three encodings of the same decoded pairs, so every row also exercises the
// query-string decoder (CONV-11):
//  - Go-SDK style: encodeURIComponent on key and value (brackets as %5B/%5D)
//  - JS-SDK style: URLSearchParams (space as '+'), plus limit=100&offset=0
//  - raw: only what must be escaped is escaped; brackets, commas, colons raw
const goStyle = (pairs) => qs(pairs);
const jsStyle = (pairs) => {
  const p = new URLSearchParams();
  for (const [k, v] of pairs) p.append(k, v);
  return `${p.toString()}&limit=100&offset=0`;
};
const rawEsc = (s) => s.replace(/[%&=+# \t]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
const rawStyle = (pairs) => pairs.map(([k, v]) => `${rawEsc(k)}=${rawEsc(v)}`).join('&');

const nextDay = (day) => new Date(Date.parse(`${day}T00:00:00.000Z`) + 86400000).toISOString().slice(0, 10);

// Rows of table 4.9 (query-string rows 1-61). Expected: true (D matches),
// false (D does not match) or 'error' (400 INVALID_QUERY).
function tableRows() {
  // Rows 45-47 and 49 depend on D's metadata. The table's D was created on
  // 2025-03-10 with a fixed id; ours is created now with a server-assigned id,
  // so those rows use the real created_at day / id with the same meaning:
  //  45: created_at_gte=<day of creation>   -> yes (timestamp sorts after its date prefix)
  //  46: created_at_lte=<day of creation>   -> no  (date-only upper bound excludes that day)
  //  47: created_at_lt=<the following day>  -> yes
  //  49: id=<D's real id>                   -> yes
  const day = D.created_at.slice(0, 10);
  return [
    [1, [['name', 'Alice Smith']], true],
    [2, [['name', 'alice smith']], false],
    [3, [['name_eq', 'Alice Smith']], true],
    [4, [['name_ne', 'Bob']], true],
    [5, [['name_contains', 'SMITH']], true],
    [6, [['name_icontains', 'smi']], true],
    [7, [['name_startswith', 'alice']], false],
    [8, [['name_startswith', 'Alice']], true],
    [9, [['email_endswith', '@example.com']], false],
    [10, [['age', '30']], true],
    [11, [['age', '30.0']], true],
    [12, [['age', 'thirty']], false],
    [13, [['age_gte', '18']], true],
    [14, [['age_gt', '30']], false],
    [15, [['age_lt', 'abc']], false],
    [16, [['score_gt', '9']], true],
    [17, [['score', '85.0']], false],
    [18, [['zip_lt', '1235']], true],
    [19, [['zip', '1234']], false],
    [20, [['active', 'true']], true],
    [21, [['active', 'TRUE']], true],
    [22, [['active', '1']], false],
    [23, [['tags', 'admin']], true],
    [24, [['tags_ne', 'admin']], false],
    [25, [['tags_in', 'ops,dev']], true],
    [26, [['tags_notin', 'ops']], true],
    [27, [['tags_contains', 'ADM']], true],
    [28, [['author.role', 'admin']], true],
    [29, [['author.level_gte', '3']], true],
    [30, [['author', 'admin']], false],
    [31, [['author.role.x', 'admin']], false],
    [32, [['tags.1', 'dev']], true],
    [33, [['nickname', 'Al']], false],
    [34, [['nickname_ne', 'Al']], true],
    [35, [['nickname_isnull', 'true']], true],
    [36, [['deleted_at_isnull', 'true']], true],
    [37, [['deleted_at_isnull', 'false']], false],
    [38, [['deleted_at', 'null']], false],
    [39, [['deleted_at_ne', 'x']], true],
    [40, [['age_isnull', 'maybe']], 'error'],
    [41, [['age_in', '']], false],
    [42, [['age_notin', '']], true],
    [43, [['age_in', '10, 30']], true],
    [44, [['age_in', ',,']], false],
    [45, [['created_at_gte', day]], true],
    [46, [['created_at_lte', day]], false],
    [47, [['created_at_lt', nextDay(day)]], true],
    [48, [['id', 'custom']], false],
    [49, [['id', D.id]], true],
    [50, [['name__or__email_contains', 'example']], true],
    [51, [['name__or__email', 'x']], false],
    [52, [['[or]age_lt', '18'], ['[or]active', 'true']], true],
    [53, [['[or:a]age_lt', '18'], ['[or:a]tags', 'ops'], ['active', 'true']], false],
    [54, [['[or:a]age_lt', '18'], ['[or:a]tags', 'dev'], ['[or:b]name', 'Bob'], ['[or:b]zip', '01234']], true],
    [55, [['status', 'active'], ['[or]age_gt', '18']], false],
    [56, [['check_in', 'yes']], false],
    [57, [['check_in_eq', 'yes']], true],
    [58, [['price_invalid', '1']], false],
    [59, [['[x]name', 'A']], 'error'],
    [60, [['name_contains', '']], true],
    [61, [['__or__name', 'A']], 'error'],
  ];
}

// More rows derived from the rules of 4.3-4.7 (not in the table).
const EXTRA_ROWS = [
  ['[or:]name=A (empty group name)', [['[or:]name', 'A']], 'error'],
  ['[or:a name=A (missing ])', [['[or:a name', 'A']], 'error'],
  ['[or:b@d]name=A (bad group name)', [['[or:b@d]name', 'A']], 'error'],
  ['[OR]name=A (not a group prefix)', [['[OR]name', 'A']], 'error'],
  ['a..b=1', [['author..role', 'admin']], 'error'],
  ['.a=1', [['.author', 'x']], 'error'],
  ['a.=1', [['author.', 'x']], 'error'],
  ['name__or__=A', [['name__or__', 'A']], 'error'],
  ['name____or__email (empty piece in the middle)', [['name__or____or__email', 'x']], 'error'],
  ['[or:default] is the same group as [or]', [['[or:default]name', 'Bob'], ['[or]name', 'Alice Smith']], true],
  ['FLT-09 repeated [or] keys are separate conditions', [['[or]name', 'Bob'], ['[or]name', 'Alice Smith']], true],
  ['FLT-09 repeated plain keys are ANDed', [['name', 'Bob'], ['name', 'Alice Smith']], false],
  ['FLT-08 two groups both must hold', [['[or:a]name', 'Bob'], ['[or:b]age', '30']], false],
  ['FLT-08 group plus ungrouped condition', [['[or]name', 'Bob'], ['[or]age', '30'], ['active', 'true']], true],
  ['FLT-07 fields before the operator keep their suffix', [['name_contains__or__email_contains', 'example']], true],
  ['FLT-02 status_eq equals status', [['email_eq', 'alice@Example.com']], true],
  ['FLT-03 endswith is case-sensitive (exact case)', [['email_endswith', '@Example.com']], true],
  ['FLT-03 startswith on a number uses its text', [['score_startswith', '8']], true],
  ['contains on a number uses its text', [['age_contains', '3']], true],
  ['contains on a boolean uses its text', [['active_contains', 'RU']], true],
  ['FLT-04 gte with exponent numeric text', [['age_lte', '3e1']], true],
  ['FLT-04 signed numeric text', [['age', '+30']], true],
  ['FLT-04 numeric text with spaces is not numeric', [['age', ' 30']], false],
  ['FLT-04 both numeric text: 85 >= 85.0', [['score_gte', '85.0']], true],
  ['FLT-04 zip numeric compare', [['zip_gt', '01233']], true],
  ['FLT-04 string vs non-numeric operand: bytewise', [['name_gt', 'Alice']], true],
  ['FLT-04 bytewise lt', [['name_lt', 'B']], true],
  ['booleans never compare with gt', [['active_gt', 'false']], false],
  ['boolean eq false', [['active', 'false']], false],
  ['boolean ne true', [['active_ne', 'true']], false],
  ['FLT-05 in with spaces and tabs trimmed', [['name_in', 'Bob ,\tAlice Smith ']], true],
  ['FLT-05 notin containing the value', [['tags_notin', 'admin']], false],
  ['in on an explicit _in field name', [['check_in_in', 'no, yes']], true],
  ['FLT-06 isnull=0 on a present value', [['age_isnull', '0']], true],
  ['FLT-06 isnull=FALSE folded', [['age_isnull', 'FALSE']], true],
  ['FLT-06 isnull=1 on missing', [['nickname_isnull', '1']], true],
  ['FLT-06 isnull=0 on null', [['deleted_at_isnull', '0']], false],
  ['FLT-06 isnull empty operand', [['age_isnull', '']], 'error'],
  ['FLT-11 index with a leading zero is not an index', [['tags.01', 'dev']], false],
  ['FLT-11 index past the end', [['tags.5', 'dev']], false],
  ['FLT-11 startswith on array elements', [['tags_startswith', 'de']], true],
  ['objects satisfy ne', [['author_ne', 'x']], true],
  ['FLT-16 data.id is not addressable: id_ne=custom', [['id_ne', 'custom']], true],
  ['FLT-16 created_at equality on metadata', [['created_at', '@CREATED']], true],
  ['FLT-16 updated_at equality on metadata', [['updated_at', '@UPDATED']], true],
  ['FLT-16 id_in with metadata id', [['id_in', 'nope,@ID']], true],
  ['"data" is an ordinary field name', [['data.name', 'Alice Smith']], false],
  ['FLT-12 limit_gte filters on a field named limit', [['limit_gte', '0']], false],
  ['FLT-12 count_eq filters on a field named count', [['count_eq', '1']], false],
  ['FLT-10 unknown suffix is part of the field name', [['age_foo', '30']], false],
];

function materialize(pairs) {
  return pairs.map(([k, v]) => [k, v.replace('@CREATED', D.created_at).replace('@UPDATED', D.updated_at).replace('@ID', D.id)]);
}

async function checkRow(label, pairs, expected) {
  const list = await a.get(`/collections/people/documents?${goStyle(pairs)}`);
  const cnt = await a.get(`/collections/people/query/documents/count?${jsStyle(pairs)}`);
  const agg = await a.get(`/collections/people/query/documents/aggregate?field=id&operation=count&${rawStyle(pairs)}`);
  if (expected === 'error') {
    expectError(list, 400, 'INVALID_QUERY', `${label} list`);
    expectError(cnt, 400, 'INVALID_QUERY', `${label} count`);
    expectError(agg, 400, 'INVALID_QUERY', `${label} aggregate`);
    return;
  }
  expectStatus(list, 200, `${label} list`);
  assert.deepEqual(list.json.map((d) => d.id), expected ? [D.id] : [], `${label}: list`);
  expectStatus(cnt, 200, `${label} count`);
  assert.deepEqual(cnt.json, { count: expected ? 1 : 0 }, `${label}: count`);
  expectStatus(agg, 200, `${label} aggregate`);
  assert.equal(agg.json.result, expected ? 1 : 0, `${label}: aggregate count`);
}

test('FLT-01 table 4.9 (query-string rows 1-61) through list, count and aggregate', async (t) => {
  for (const [n, pairs, expected] of tableRows()) {
    const label = `row ${n}: ${pairs.map(([k, v]) => `${k}=${v}`).join('&')}`;
    await t.test(label, () => checkRow(label, pairs, expected));
  }
});

test('filter rules of 4.3-4.7 beyond the table', async (t) => {
  for (const [label, pairs, expected] of EXTRA_ROWS) {
    await t.test(label, () => checkRow(label, materialize(pairs), expected));
  }
});

test('FLT-12 reserved keys are never filters', async () => {
  const q = 'limit=10&offset=0&sort=name&order=asc&sort_by=zzz&sort_order=desc&count=5&select=name';
  const l = await a.get(`/collections/people/documents?${q}`);
  expectStatus(l, 200, 'list');
  assert.deepEqual(l.json.map((d) => d.id), [D.id]);
  const c = await a.get(`/collections/people/query/documents/count?${q}`);
  assert.deepEqual(c.json, { count: 1 });
});

test('4.8 an invalid key names the offending key in detail', async () => {
  const r = await a.get(`/collections/people/documents?${qs([['[x]name', 'A']])}`);
  expectError(r, 400, 'INVALID_QUERY', '[x]name');
  assert.ok(r.json.detail.includes('[x]name'), `detail: ${r.json.detail}`);
});

// ---------------------------------------------------------------------------
// CONV-11 / CONV-12

test('CONV-11 percent-encoded keys are decoded and + decodes to a space', async () => {
  const cases = [
    ['%5Bor%5Dname=Bob&%5Bor%5Dname=Alice+Smith', true],
    ['name=Alice+Smith', true],
    ['name=Alice%20Smith', true],
    ['name=Alice%2BSmith', false],
    ['%6Eame=Alice%20Smith', true],
    ['author%2Erole=admin', true],
    ['%5Bor%3Aa%5Dage_lt=18&%5Bor%3Aa%5Dtags=dev', true],
    ['name_in=Bob,Alice+Smith', true],
    ['name_in=Bob%2CAlice%20Smith', true],
    ['email=alice%40Example.com', true],
    ['na+me=Alice+Smith', false], // key "na me" is a missing field
  ];
  for (const [q, expected] of cases) {
    const l = await a.get(`/collections/people/documents?${q}`);
    expectStatus(l, 200, q);
    assert.deepEqual(l.json.map((d) => d.id), expected ? [D.id] : [], `list ?${q}`);
    const c = await a.get(`/collections/people/query/documents/count?${q}`);
    assert.deepEqual(c.json, { count: expected ? 1 : 0 }, `count ?${q}`);
  }
});

test('CONV-12 empty query pairs are ignored; a pair without = has an empty value', async () => {
  const cases = [
    ['&&name=Alice%20Smith&&', true],
    ['name=Alice%20Smith&', true],
    ['&', true],
    ['&&&', true],
    ['name=Bob&&', false],
    ['name_contains', true], // empty operand: substring of everything
    ['name', false], // eq "" on "Alice Smith"
    ['nickname_isnull', 'error'], // empty operand is not a valid isnull operand
  ];
  for (const [q, expected] of cases) {
    const l = await a.get(`/collections/people/documents?${q}`);
    const c = await a.get(`/collections/people/query/documents/count?${q}`);
    if (expected === 'error') {
      expectError(l, 400, 'INVALID_QUERY', q);
      expectError(c, 400, 'INVALID_QUERY', q);
      continue;
    }
    expectStatus(l, 200, q);
    assert.deepEqual(l.json.map((d) => d.id), expected ? [D.id] : [], `list ?${q}`);
    assert.deepEqual(c.json, { count: expected ? 1 : 0 }, `count ?${q}`);
  }
  // the JS SDK's aggregate URL ends in '&' (COL-19 repeats this with values)
  const ag = await a.get('/collections/people/query/documents/aggregate?field=age&operation=sum&');
  expectStatus(ag, 200, 'aggregate with trailing &');
  assert.equal(ag.json.result, 30);
});

// ---------------------------------------------------------------------------
// Sorting (COL-16, COL-17)

const MISSING = Symbol('missing');

// Ascending order of values, PROTOCOL 4.10: numbers < strings (bytewise) <
// booleans < arrays and objects (compact JSON text); missing and null last in
// both directions; ties by created_at, then id, in the chosen direction.
function rankOf(v) {
  if (v === MISSING || v === null) return 4;
  if (typeof v === 'number') return 0;
  if (typeof v === 'string') return 1;
  if (typeof v === 'boolean') return 2;
  return 3;
}
function cmpValues(x, y) {
  const rx = rankOf(x); const ry = rankOf(y);
  if (rx !== ry) return rx - ry;
  switch (rx) {
    case 0: return x < y ? -1 : x > y ? 1 : 0;
    case 1: return Buffer.compare(Buffer.from(x), Buffer.from(y));
    case 2: return (x ? 1 : 0) - (y ? 1 : 0);
    case 3: return Buffer.compare(Buffer.from(JSON.stringify(x)), Buffer.from(JSON.stringify(y)));
    default: return 0;
  }
}
function expectedOrder(docs, valueOf, dir) {
  const s = dir === 'asc' ? 1 : -1;
  return [...docs].sort((p, q) => {
    const vp = valueOf(p); const vq = valueOf(q);
    const mp = rankOf(vp) === 4; const mq = rankOf(vq) === 4;
    if (mp !== mq) return mp ? 1 : -1; // missing/null last in both directions
    const c = cmpValues(vp, vq);
    if (c !== 0) return s * c;
    if (p.created_at !== q.created_at) return s * (p.created_at < q.created_at ? -1 : 1);
    return s * Buffer.compare(Buffer.from(p.id), Buffer.from(q.id));
  });
}

let sortDocs;
const SORT_VALUES = [10, 9, 'a', 100, 9, true, null, MISSING, 2.5, '5', -1, false, 'B', [1], { a: 1 }, '\u00e9', 9, 1000, 999.5, '10'];

async function sortSeed() {
  if (sortDocs) return sortDocs;
  sortDocs = [];
  for (const [i, v] of SORT_VALUES.entries()) {
    const data = v === MISSING ? { i } : { i, v };
    const r = await a.post('/collections/documents?collection=sorting', { data });
    expectStatus(r, 201, 'seed sorting');
    sortDocs.push(r.json);
    await sleep(3); // distinct created_at for the creation-order checks
  }
  return sortDocs;
}
const valueOfDoc = (d) => (Object.hasOwn(d.data, 'v') ? d.data.v : MISSING);

function assertSorted(got, docs, dir, what) {
  const exp = expectedOrder(docs, valueOfDoc, dir);
  const nMissing = docs.filter((d) => rankOf(valueOfDoc(d)) === 4).length;
  const head = (xs) => xs.slice(0, xs.length - nMissing).map((d) => d.id);
  const tail = (xs) => new Set(xs.slice(xs.length - nMissing).map((d) => d.id));
  assert.equal(got.length, exp.length, `${what}: length`);
  const show = (xs) => xs.map((d) => JSON.stringify(valueOfDoc(d) === MISSING ? 'MISSING' : valueOfDoc(d))).join(' ');
  assert.deepEqual(head(got), head(exp), `${what}: order\n got ${show(got)}\n exp ${show(exp)}`);
  assert.deepEqual(tail(got), tail(exp), `${what}: missing/null last`);
}

test('COL-16 without sort, newest first; order=asc oldest first', async () => {
  const docs = await sortSeed();
  const r = await a.get('/collections/sorting/documents');
  expectStatus(r, 200, 'list');
  assert.deepEqual(r.json.map((d) => d.id), [...docs].reverse().map((d) => d.id), 'newest first');
  const asc = await a.get('/collections/sorting/documents?order=asc');
  assert.deepEqual(asc.json.map((d) => d.id), docs.map((d) => d.id), 'order=asc');
  const ca = await a.get('/collections/sorting/documents?sort=created_at&order=asc');
  assert.deepEqual(ca.json.map((d) => d.id), docs.map((d) => d.id), 'sort=created_at asc');
  const ids = await a.get('/collections/sorting/documents?sort=id&order=asc');
  assert.deepEqual(ids.json.map((d) => d.id), docs.map((d) => d.id).sort(), 'sort=id asc (metadata)');
});

test('COL-16 sort=v: numbers numerically, then strings, booleans, arrays/objects; missing and null last', async () => {
  const docs = await sortSeed();
  for (const dir of ['asc', 'desc']) {
    const r = await a.get(`/collections/sorting/documents?sort=v&order=${dir}`);
    expectStatus(r, 200, `sort v ${dir}`);
    assertSorted(r.json, docs, dir, `sort=v&order=${dir}`);
  }
  const d = await a.get('/collections/sorting/documents?sort=v');
  assertSorted(d.json, docs, 'desc', 'sort=v default order is desc');
  const up = await a.get('/collections/sorting/documents?sort=v&order=ASC');
  assertSorted(up.json, docs, 'asc', 'order is case-insensitive');
  // paging over a sorted list
  const page = await a.get('/collections/sorting/documents?sort=v&order=asc&limit=4&offset=3');
  assert.deepEqual(page.json.map((x) => x.id), expectedOrder(docs, valueOfDoc, 'asc').slice(3, 7).map((x) => x.id), 'limit/offset after sort');
});

test('COL-16 ties break by created_at, then id, in the chosen direction', async () => {
  // a batch creates several documents with equal sort values (and likely equal created_at)
  const b = await a.post('/collections/ties/batch/documents/create', { documents: Array.from({ length: 6 }, (_, i) => ({ g: i % 2, i })) });
  expectStatus(b, 201, 'batch');
  await sleep(3);
  const b2 = await a.post('/collections/ties/batch/documents/create', { documents: [{ g: 0, i: 6 }, { g: 1, i: 7 }] });
  const docs = [...b.json, ...b2.json];
  for (const dir of ['asc', 'desc']) {
    const r = await a.get(`/collections/ties/documents?sort=g&order=${dir}`);
    const exp = expectedOrder(docs, (d) => d.data.g, dir);
    assert.deepEqual(r.json.map((d) => d.id), exp.map((d) => d.id), `ties ${dir}`);
  }
  const r = await a.get('/collections/ties/documents');
  const exp = expectedOrder(docs, () => 0, 'desc');
  assert.deepEqual(r.json.map((d) => d.id), exp.map((d) => d.id), 'default order: created_at desc, then id desc');
});

test('COL-17 sort_by / sort_order are aliases; sort and order win over them', async () => {
  const docs = await sortSeed();
  const r = await a.get('/collections/sorting/documents?sort_by=v&sort_order=asc');
  expectStatus(r, 200, 'aliases');
  assertSorted(r.json, docs, 'asc', 'sort_by=v&sort_order=asc');
  const r2 = await a.get('/collections/sorting/documents?sort_by=v&sort_order=desc');
  assertSorted(r2.json, docs, 'desc', 'sort_by=v&sort_order=desc');
  const r3 = await a.get('/collections/sorting/documents?sort=v&sort_by=created_at&order=asc&sort_order=desc');
  assertSorted(r3.json, docs, 'asc', 'sort/order win');
  const r4 = await a.get('/collections/sorting/documents?sort_by=v&order=asc');
  assertSorted(r4.json, docs, 'asc', 'sort_by with order');
});

test('4.10 invalid sort parameters', async () => {
  await sortSeed();
  expectError(await a.get('/collections/sorting/documents?sort=v&order=up'), 400, 'INVALID_QUERY', 'order=up');
  expectError(await a.get('/collections/sorting/documents?sort_order=sideways'), 400, 'INVALID_QUERY', 'sort_order=sideways');
  expectError(await a.get('/collections/sorting/documents?sort='), 400, 'INVALID_SORT_FIELD', 'sort=');
  expectError(await a.get('/collections/sorting/documents?sort_by='), 400, 'INVALID_SORT_FIELD', 'sort_by=');
});

// ---------------------------------------------------------------------------
// Paging (COL-15), count (COL-18)

test('COL-15 limit and offset', async () => {
  const docs = [];
  for (let i = 0; i < 7; i++) {
    const r = await a.post('/collections/documents?collection=paging', { data: { i } });
    docs.push(r.json);
    await sleep(3);
  }
  const newest = [...docs].reverse().map((d) => d.id);
  const ids = async (q) => {
    const r = await a.get(`/collections/paging/documents?${q}`);
    expectStatus(r, 200, q);
    return r.json.map((d) => d.id);
  };
  assert.deepEqual(await ids('limit=3'), newest.slice(0, 3));
  assert.deepEqual(await ids('limit=3&offset=3'), newest.slice(3, 6));
  assert.deepEqual(await ids('offset=5'), newest.slice(5));
  assert.deepEqual(await ids('offset=7'), []);
  assert.deepEqual(await ids('offset=1000'), []);
  assert.deepEqual(await ids('limit=0'), []);
  assert.deepEqual(await ids('limit=100000'), newest, 'a limit above the maximum is clamped, not rejected');
  assert.deepEqual(await ids('limit=2147483647'), newest);
  assert.deepEqual(await ids('limit=1&limit=2'), newest.slice(0, 2), 'last occurrence wins');
  for (const q of ['limit=-1', 'limit=abc', 'limit=1.5', 'limit=', 'offset=-1', 'offset=x', 'offset=2.5']) {
    expectError(await a.get(`/collections/paging/documents?${q}`), 400, 'INVALID_QUERY', q);
  }
});

test('COL-18 count ignores limit/offset; the default list limit is 100', async () => {
  const docs = Array.from({ length: 150 }, (_, i) => ({ i, even: i % 2 === 0 }));
  const b = await a.post('/collections/many/batch/documents/create', { documents: docs });
  expectStatus(b, 201, 'batch of 150');
  const cnt = async (q) => {
    const r = await a.get(`/collections/many/query/documents/count?${q}`);
    expectStatus(r, 200, q);
    assert.deepEqual(Object.keys(r.json), ['count']);
    return r.json.count;
  };
  assert.equal(await cnt('limit=100&offset=0'), 150);
  assert.equal(await cnt('limit=1&offset=149'), 150);
  assert.equal(await cnt('sort=i&order=asc&select=i&limit=5'), 150);
  assert.equal(await cnt('i_lt=120&limit=100&offset=0'), 120);
  assert.equal(await cnt('even=true&limit=10'), 75);
  const l = await a.get('/collections/many/documents');
  assert.equal(l.json.length, 100, 'default limit 100');
  const l2 = await a.get('/collections/many/documents?limit=150');
  assert.equal(l2.json.length, 150);
});

// ---------------------------------------------------------------------------
// Aggregate (COL-19)

const NUMERIC_TEXT = /^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?$/;
function expectedAggregate(values, op) {
  const present = values.filter((v) => v !== MISSING && v !== null);
  const nums = present.filter((v) => typeof v === 'number' || (typeof v === 'string' && NUMERIC_TEXT.test(v)))
    .map(Number);
  switch (op) {
    case 'count': return present.length;
    case 'sum': return nums.reduce((s, x) => s + x, 0);
    case 'avg': return nums.length ? nums.reduce((s, x) => s + x, 0) / nums.length : null;
    case 'min': return nums.length ? Math.min(...nums) : null;
    case 'max': return nums.length ? Math.max(...nums) : null;
    default: throw new Error(op);
  }
}

test('COL-19 aggregate count/sum/avg/min/max', async () => {
  const rows = [
    [10, 'paid'], [20.5, 'paid'], ['30', 'paid'], ['abc', 'paid'], ['-4.5e0', 'paid'],
    [null, 'open'], [MISSING, 'open'], [true, 'open'], [[5], 'open'], [{ v: 1 }, 'open'],
  ];
  const docs = rows.map(([v, status]) => (v === MISSING ? { status } : { amount: v, status }));
  expectStatus(await a.post('/collections/orders/batch/documents/create', { documents: docs }), 201, 'seed');
  const agg = async (q) => {
    const r = await a.get(`/collections/orders/query/documents/aggregate?${q}`);
    expectStatus(r, 200, q);
    return r;
  };
  for (const op of ['count', 'sum', 'avg', 'min', 'max']) {
    const r = await agg(`field=amount&operation=${op}`);
    assert.deepEqual(Object.keys(r.json).sort(), ['collection', 'field', 'operation', 'result']);
    assert.equal(r.json.collection, 'orders');
    assert.equal(r.json.field, 'amount');
    assert.equal(r.json.operation, op);
    assert.equal(r.json.result, expectedAggregate(rows.map((x) => x[0]), op), `${op} over all`);
    const paid = await agg(`field=amount&operation=${op}&status=paid&`);
    assert.equal(paid.json.result, expectedAggregate(rows.filter((x) => x[1] === 'paid').map((x) => x[0]), op), `${op} status=paid`);
    const open = await agg(`field=amount&operation=${op}&status=open`);
    assert.equal(open.json.result, expectedAggregate(rows.filter((x) => x[1] === 'open').map((x) => x[0]), op), `${op} status=open`);
    const none = await agg(`field=nothing_here&operation=${op}`);
    assert.equal(none.json.result, expectedAggregate([], op), `${op} over no values`);
  }
  // spot checks against the spec's words: avg of nothing is null, sum is 0
  assert.equal((await agg('field=nothing_here&operation=avg')).json.result, null);
  assert.equal((await agg('field=nothing_here&operation=sum')).json.result, 0);
  assert.equal((await agg('field=nothing_here&operation=count')).json.result, 0);
  assert.equal((await agg('field=id&operation=count')).json.result, rows.length, 'field=id counts all matches');
  // URL ending in & (JS SDK), empty pairs, ignored reserved keys
  assert.equal((await agg('field=amount&operation=sum&')).json.result, expectedAggregate(rows.map((x) => x[0]), 'sum'));
  assert.equal((await agg('&field=amount&&operation=sum&&')).json.result, expectedAggregate(rows.map((x) => x[0]), 'sum'));
  assert.equal((await agg('field=amount&operation=count&limit=1&offset=3&sort=amount&order=asc&select=status')).json.result,
    expectedAggregate(rows.map((x) => x[0]), 'count'), 'limit/offset/sort/select ignored');
  // max of a numeric-text value is a JSON number
  const mx = await agg('field=amount&operation=max&status=paid');
  assert.equal(typeof mx.json.result, 'number');
  // nested field
  const lvl = await a.get('/collections/people/query/documents/aggregate?field=author.level&operation=sum');
  assert.equal(lvl.json.result, 3);
  // errors
  expectError(await a.get('/collections/orders/query/documents/aggregate?field=amount&operation=median'), 400, 'INVALID_OPERATOR', 'median');
  expectError(await a.get('/collections/orders/query/documents/aggregate?field=amount&operation=SUM'), 400, 'INVALID_OPERATOR', 'SUM');
  expectError(await a.get('/collections/orders/query/documents/aggregate?field=amount&operation='), 400, 'INVALID_OPERATOR', 'operation=');
  const noOp = await a.get('/collections/orders/query/documents/aggregate?field=amount');
  assert.equal(noOp.status, 400, `missing operation: ${noOp.text}`);
  expectError(await a.get('/collections/orders/query/documents/aggregate?operation=sum'), 400, 'INVALID_QUERY', 'missing field');
  expectError(await a.get('/collections/orders/query/documents/aggregate?field=&operation=sum'), 400, 'INVALID_QUERY', 'empty field');
});

// ---------------------------------------------------------------------------
// Select (COL-23)

test('COL-23 select projects data, metadata intact', async () => {
  const meta = (d) => ({ id: d.id, collection: d.collection, collection_id: d.collection_id, created_at: d.created_at, updated_at: d.updated_at });
  const one = async (q) => {
    const r = await a.get(`/collections/people/documents?${q}`);
    expectStatus(r, 200, q);
    assert.equal(r.json.length, 1, q);
    assert.deepEqual(meta(r.json[0]), meta(D), `${q}: metadata intact`);
    return r.json[0].data;
  };
  assert.deepEqual(await one('select=name'), { name: 'Alice Smith' });
  assert.deepEqual(await one('select=author.role'), { author: { role: 'admin' } });
  assert.deepEqual(await one('select=name,age'), { name: 'Alice Smith', age: 30 });
  assert.deepEqual(await one('select=name&select=zip'), { name: 'Alice Smith', zip: '01234' });
  assert.deepEqual(await one(`select=${encodeURIComponent(' name , , age ')}`), { name: 'Alice Smith', age: 30 });
  assert.deepEqual(await one('select=nickname'), {});
  assert.deepEqual(await one('select=name,nickname,author.missing'), { name: 'Alice Smith' });
  assert.deepEqual(await one('select=author'), { author: { role: 'admin', level: 3 } });
  assert.deepEqual(await one('select=deleted_at'), { deleted_at: null }, 'null is present, not missing');
  assert.deepEqual(await one('select=author.role,author.level'), { author: { role: 'admin', level: 3 } });
  assert.deepEqual(await one('select=name,id,created_at'), { name: 'Alice Smith' }, 'metadata names are ignored');
  // filters are evaluated before projection
  assert.deepEqual(await one('select=name&age=30&author.role=admin'), { name: 'Alice Smith' });
  // get honours select
  const g = await a.get(`/collections/people/documents/${D.id}?select=email`);
  expectStatus(g, 200, 'get with select');
  assert.deepEqual(g.json.data, { email: 'alice@Example.com' });
  assert.deepEqual(meta(g.json), meta(D));
  // the stored document is unchanged
  assert.deepEqual((await a.get(`/collections/people/documents/${D.id}`)).json, D);
});

test('CONV-07 every non-2xx response seen in this file had the error body shape', () => {
  assert.deepEqual(errorShapeViolations, []);
});
