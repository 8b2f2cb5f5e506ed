/**
 * Property tests over hook bodies: generated and mutated requests (wrong types, missing
 * fields, huge strings, deep nesting, unicode, prototype keys, non-JSON) never get a 5xx,
 * never crash the service or leave an unhandled rejection, and every 4xx names the problem.
 * Names that reach GitHub are validated first, and GraphQL only ever receives them as
 * variables (checked on the documents the emulator records).
 */
import fc from 'fast-check';
import { parse, visit } from 'graphql';
import { startHarness, type Harness } from '../support/harness.js';
import { environment, rollout, sha, syncRequest } from '../support/requests.js';

const BODY_LIMIT = 256 * 1024;
const ROUTES = ['/sync', '/customize', '/finalize'] as const;
const ERROR_CODES = new Set(['InvalidJSON', 'EmptyBody', 'InvalidRequest', 'PayloadTooLarge', 'UnsupportedMediaType', 'NotFound', 'BadRequest']);
const SEED = Number(process.env.FUZZ_SEED ?? 20261126);

/** A fresh emulator per property: environments created by one property would slow the reads of the next. */
let h: Harness;
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);
let tried = 0;
const answered = new Map<number, number>();

beforeAll(() => {
  process.on('unhandledRejection', onUnhandled);
});
beforeEach(async () => {
  // Rounds as soon as a read waits (no FLEET_ROUND_INTERVAL_MS spacing): tens of thousands of inputs must fit the time.
  h = await startHarness({ config: { bodyLimitBytes: BODY_LIMIT, ledgerCacheTtlMs: 10_000, syncBudgetMs: 2000, fleetRoundIntervalMs: 0 } });
});
afterEach(async () => {
  await h.close();
});
afterAll(() => {
  process.off('unhandledRejection', onUnhandled);
});

// ---- sending and judging one request -------------------------------------------------------

interface Sent {
  route: string;
  payload: string | Buffer;
  contentType?: string;
}

async function send({ route, payload, contentType = 'application/json' }: Sent) {
  tried++;
  const res = await h.app.inject({ method: 'POST', url: route, payload, headers: contentType ? { 'content-type': contentType } : {} });
  answered.set(res.statusCode, (answered.get(res.statusCode) ?? 0) + 1);
  return res;
}

/** The contract for any answer: no 5xx; a 4xx is `{error, message, details}` naming the problem. */
function judge(res: { statusCode: number; body: string }, route: string): void {
  if (res.statusCode >= 500) throw new Error(`${route} answered ${res.statusCode}: ${res.body.slice(0, 500)}`);
  const json = JSON.parse(res.body);
  if (res.statusCode >= 400) {
    expect(ERROR_CODES.has(json.error)).toBe(true);
    expect(typeof json.message).toBe('string');
    expect(json.message.length).toBeGreaterThan(10);
    expect(Array.isArray(json.details)).toBe(true);
    if (json.error === 'InvalidRequest') {
      expect(json.details.length).toBeGreaterThan(0);
      expect(json.message).toContain(json.details[0].field);
    }
    return;
  }
  expect(res.statusCode).toBe(200);
  if (route === '/customize') {
    expect(Object.keys(json)).toEqual(['relatedResources']);
  } else {
    expect(Object.keys(json).every((k) => ['status', 'children', 'resyncAfterSeconds', 'finalized'].includes(k))).toBe(true);
    expect(typeof json.status).toBe('object');
    expect(Array.isArray(json.children)).toBe(true);
    expect(json.resyncAfterSeconds).toBeGreaterThan(0);
  }
}

// ---- generators --------------------------------------------------------------------------

const PROTOTYPE_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', '__defineGetter__'];

/** Objects whose own keys include prototype names (a null-prototype object keeps "__proto__" as data). */
const prototypeKeyed = fc.array(fc.tuple(fc.constantFrom(...PROTOTYPE_KEYS), fc.jsonValue({ maxDepth: 2 })), { minLength: 1, maxLength: 3 }).map((pairs) => {
  const o = Object.create(null) as Record<string, unknown>;
  for (const [k, v] of pairs) o[k] = v;
  return o;
});

const unicode = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 64 }),
  fc.string({ unit: 'grapheme', maxLength: 64 }),
  fc.constantFrom('\u0000', '\ud800', '\udfff', '\u202e', 'é'.normalize('NFD'), '🏳️‍🌈', '\uffff', 'a\r\nb'),
);

const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 2, arbitrary: unicode },
  { weight: 1, arbitrary: prototypeKeyed },
  { weight: 1, arbitrary: fc.integer({ min: 1000, max: 20_000 }).map((n) => 'x'.repeat(n)) },
  { weight: 1, arbitrary: fc.integer({ min: 20, max: 400 }).map((n) => nested(n)) },
  { weight: 1, arbitrary: fc.constantFrom(null, true, -1, 0, 1e308, -0, '', [], {}, 2 ** 53, 'null', '0') },
);

function nested(depth: number): unknown {
  let v: unknown = 'bottom';
  for (let i = 0; i < depth; i++) v = i % 2 === 0 ? [v] : { k: v };
  return v;
}

const R = [sha('fuzz-1'), sha('fuzz-2')];
function validSync(finalizing = false): Record<string, unknown> {
  return syncRequest({
    parent: environment({
      environment: 'production',
      relationship: { environment: 'staging', type: 'After' },
      ...(finalizing ? { deletionTimestamp: '2026-11-26T11:59:00Z' } : {}),
    }),
    rollout: rollout(
      [
        { id: 2, tag: 'v2', revision: R[1]!, bakeStatus: 'InProgress' },
        { id: 1, tag: 'v1', revision: R[0]!, bakeStatus: 'Succeeded', bakeStatusMessage: 'ok' },
      ],
      [
        { tag: 'v1', revision: R[0]! },
        { tag: 'v2', revision: R[1]! },
      ],
    ),
    finalizing,
  }) as unknown as Record<string, unknown>;
}

/** Paths to the values of a JSON tree (the first 12 levels), to pick mutation sites from. */
function paths(value: unknown, prefix: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  out.push(prefix);
  if (prefix.length >= 12) return out;
  if (Array.isArray(value)) value.forEach((v, i) => paths(v, [...prefix, i], out));
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) paths(v, [...prefix, k], out);
  return out;
}

type Mutation = { at: number; kind: 'replace' | 'delete' | 'add-key'; value: unknown; key: string };

const mutation: fc.Arbitrary<Mutation> = fc.record({
  at: fc.nat(),
  kind: fc.constantFrom('replace', 'replace', 'delete', 'add-key'),
  value: hostileValue,
  key: fc.oneof(fc.constantFrom(...PROTOTYPE_KEYS), fc.string({ maxLength: 12 })),
});

function mutate(base: Record<string, unknown>, mutations: Mutation[]): unknown {
  let root: unknown = structuredClone(base);
  for (const m of mutations) {
    const all = paths(root);
    const path = all[m.at % all.length]!;
    if (path.length === 0) {
      root = m.kind === 'replace' ? m.value : root;
      continue;
    }
    const parent = path.slice(0, -1).reduce<any>((o, k) => o[k], root);
    const last = path.at(-1)!;
    if (m.kind === 'replace') parent[last] = m.value;
    else if (m.kind === 'delete') {
      if (Array.isArray(parent)) parent.splice(Number(last), 1);
      else delete parent[last];
    } else {
      const target = parent[last];
      if (target && typeof target === 'object' && !Array.isArray(target))
        Object.defineProperty(target, m.key, { value: m.value, enumerable: true, configurable: true, writable: true });
      else parent[last] = m.value;
    }
  }
  return root;
}

const route = fc.constantFrom(...ROUTES);
const runs = (n: number) => ({ numRuns: n, seed: SEED, endOnFailure: true });

// ---- properties ----------------------------------------------------------------------------

test('mutated valid requests (wrong types, missing fields, prototype keys, unicode, huge and deep values)', async () => {
  await fc.assert(
    fc.asyncProperty(route, fc.boolean(), fc.array(mutation, { minLength: 1, maxLength: 4 }), async (r, finalizing, mutations) => {
      const body = mutate(r === '/customize' ? { parent: validSync().parent } : validSync(finalizing), mutations);
      const res = await send({ route: r, payload: JSON.stringify(body) ?? 'undefined' });
      judge(res, r);
    }),
    runs(3000),
  );
});

test('generated JSON documents of any shape', async () => {
  await fc.assert(
    fc.asyncProperty(
      route,
      fc.oneof(
        fc.jsonValue({ maxDepth: 6 }),
        fc.record(
          {
            parent: fc.jsonValue({ maxDepth: 4 }),
            children: fc.jsonValue({ maxDepth: 3 }),
            related: fc.jsonValue({ maxDepth: 3 }),
            finalizing: fc.jsonValue({ maxDepth: 1 }),
          },
          { requiredKeys: [] },
        ),
      ),
      async (r, body) => {
        const res = await send({ route: r, payload: JSON.stringify(body) });
        judge(res, r);
      },
    ),
    runs(4000),
  );
});

test('bodies that are not JSON, or not sent as JSON', async () => {
  const valid = JSON.stringify(validSync());
  const raw = fc.oneof(
    fc.string({ unit: 'binary', maxLength: 200 }),
    fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b)),
    fc.nat({ max: valid.length - 1 }).map((n) => valid.slice(0, n)),
    fc.string({ maxLength: 20 }).map((junk) => `${valid}${junk || '}'}`),
    fc.constantFrom(
      '',
      ' ',
      'null',
      '[]',
      '"x"',
      '{"parent":{"a":1,"a":2}}',
      '{"__proto__":{"polluted":1}}',
      '{"constructor":{"prototype":{"polluted":1}}}',
      'NaN',
      '{parent: 1}',
    ),
  );
  await fc.assert(
    fc.asyncProperty(
      route,
      raw,
      fc.constantFrom('application/json', 'application/json', 'application/json; charset=utf-8', 'text/plain', 'application/x-www-form-urlencoded', ''),
      async (r, payload, contentType) => {
        const res = await send({ route: r, payload, contentType });
        judge(res, r);
      },
    ),
    runs(2000),
  );
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  expect((Object.prototype as Record<string, unknown>).polluted).toBeUndefined();
});

test('deep nesting and huge strings in every part of a valid request', async () => {
  const places: ((body: any, value: unknown) => void)[] = [
    (b, v) => (b.parent.status = { environmentInfos: [{ environment: 'staging', history: [v] }] }),
    (b, v) => (b.parent.spec.backend.project = v),
    (b, v) => (b.related['Rollout.kuberik.com/v1alpha1']['default/my-app'].status.history[0].version.tag = v),
    (b, v) => (b.children = { 'RolloutGate.kuberik.com/v1alpha1': { 'default/x': v } }),
    (b, v) => (b.parent.metadata.annotations = { a: v }),
    (b, v) => (b.controller = v),
  ];
  // Built as text: JSON.stringify itself gives up long before JSON.parse does.
  const deepText = (depth: number, object: boolean) => (object ? '{"k":'.repeat(depth) + '0' + '}'.repeat(depth) : '['.repeat(depth) + '0' + ']'.repeat(depth));
  // Described, not built, so a counterexample stays readable.
  const big = fc.oneof(
    fc.record({ kind: fc.constantFrom('array', 'object'), size: fc.integer({ min: 90, max: 60_000 }) }),
    fc.record({ kind: fc.constant('string'), size: fc.integer({ min: 10_000, max: BODY_LIMIT - 20_000 }) }),
  );
  const text = ({ kind, size }: { kind: string; size: number }) =>
    kind === 'string' ? JSON.stringify('é'.repeat(size / 2)) : deepText(size, kind === 'object');
  const HOLE = '"@@hole@@"';
  await fc.assert(
    fc.asyncProperty(route, fc.nat({ max: places.length - 1 }), big, async (r, place, value) => {
      const body: any = validSync();
      places[place]!(body, '@@hole@@');
      const payload = JSON.stringify(body).replace(HOLE, () => text(value));
      const res = await send({ route: r, payload });
      judge(res, r);
    }),
    runs(300),
  );
});

test('a body over the limit is answered 413 PayloadTooLarge, whatever its content', async () => {
  await fc.assert(
    fc.asyncProperty(route, fc.integer({ min: BODY_LIMIT + 1, max: BODY_LIMIT * 3 }), fc.boolean(), async (r, size, json) => {
      const payload = json ? JSON.stringify({ parent: { pad: 'x'.repeat(size) } }) : 'x'.repeat(size);
      const res = await send({ route: r, payload });
      expect(res.statusCode).toBe(413);
      expect(JSON.parse(res.body)).toEqual({ error: 'PayloadTooLarge', message: `Request body exceeds ${BODY_LIMIT} bytes`, details: [] });
    }),
    runs(50),
  );
});

// ---- names that reach GitHub ---------------------------------------------------------------

const SAFE_PROJECT = /^\/repos\/[A-Za-z0-9][A-Za-z0-9-]{0,38}\/[A-Za-z0-9._-]{1,100}\/deployments$/;
const ALLOWED_INT_LITERALS = new Set(['10', '100']);

/** String, object or list literals in a GraphQL document: values that did not travel as variables. */
function literalValues(query: string): string[] {
  const found: string[] = [];
  visit(parse(query), {
    StringValue: (node) => void found.push(`string ${JSON.stringify(node.value)}`),
    IntValue: (node) => void (ALLOWED_INT_LITERALS.has(node.value) ? undefined : found.push(`int ${node.value}`)),
    FloatValue: (node) => void found.push(`float ${node.value}`),
    ListValue: (node) => void found.push(`list at ${node.loc?.start}`),
  });
  return found;
}

test('owner/repo, environment and application names: validated before GitHub, and only ever GraphQL variables', async () => {
  const tricky = fc.constantFrom(
    'my-org/my-repo',
    'my-org/../admin',
    'my-org/my-repo/../../x',
    'my-org/my%2Frepo',
    'my-org/repo?per_page=1',
    'my-org/repo#frag',
    '../my-repo',
    'my-org/.',
    'my org/repo',
    'my-org/repo\n',
    '") { viewer { login } } #',
    'staging") { id } #',
    'a\u0000b',
    'kuberik/',
    'x'.repeat(300),
    'ståging',
    '𝔰𝔱𝔞𝔤𝔦𝔫𝔤',
  );
  // A small pool of plain names keeps the number of GitHub environments (and so the cost of each read) bounded.
  const plain = fc.constantFrom('staging', 'production', 'qa', 'canary', 'kuberik', 'prod-eu-1');
  const name = fc.oneof({ weight: 1, arbitrary: tricky }, { weight: 1, arbitrary: unicode }, { weight: 3, arbitrary: plain });
  const project = fc.oneof({ weight: 2, arbitrary: tricky }, { weight: 2, arbitrary: fc.constant('my-org/my-repo') }, { weight: 1, arbitrary: name });
  const POOL = new Set(['staging', 'production', 'qa', 'canary', 'kuberik', 'prod-eu-1']);
  let reachedGitHub = 0;
  let restWrites = 0;
  await fc.assert(
    fc.asyncProperty(project, name, name, fc.option(name, { nil: undefined }), async (project, env, app, upstream) => {
      h.emulator.resetRequests();
      const parent = environment({
        environment: env,
        app,
        project,
        ...(upstream !== undefined ? { relationship: { environment: upstream, type: 'After' as const } } : {}),
      });
      // Only names from the pool publish history (REST writes); the others still read GitHub.
      const history = POOL.has(env) && POOL.has(app) ? [{ id: 1, tag: 'v1', revision: R[0]!, bakeStatus: 'Succeeded' }] : [];
      const res = await send({ route: '/sync', payload: JSON.stringify(syncRequest({ parent, rollout: rollout(history) })) });
      judge(res, '/sync');
      const ready = res.statusCode === 200 ? JSON.parse(res.body).status.conditions.find((c: any) => c.type === 'Ready').reason : 'rejected';
      const requests = h.emulator.requests;
      if (['InvalidSpec', 'InvalidProject', 'rejected'].includes(ready)) {
        expect(requests).toEqual([]);
        return;
      }
      if (requests.length > 0) reachedGitHub++;
      for (const r of requests) {
        if (r.api === 'rest') {
          restWrites++;
          expect(r.path).toMatch(SAFE_PROJECT);
        } else expect(r.path).toBe('/graphql');
      }
      for (const g of h.emulator.graphqlRequests) {
        expect(literalValues(g.query)).toEqual([]);
        if (g.operationName === 'ReadLedger') {
          // Each repository of a batched read is addressed by its own $r<k>owner/$r<k>name variables.
          const repositories = Object.keys(g.variables).filter((v) => /^r\d+owner$/.test(v));
          expect(repositories.length).toBeGreaterThan(0);
          for (const v of repositories) expect([typeof g.variables[v], typeof g.variables[v.replace(/owner$/, 'name')]]).toEqual(['string', 'string']);
        }
      }
    }),
    runs(800),
  );
  // The property must have exercised the path to GitHub, not only rejections.
  expect(reachedGitHub).toBeGreaterThan(50);
  expect(restWrites).toBeGreaterThan(5);
});

test('afterwards: no unhandled rejection, a fresh service answers, at least 10,000 inputs tried', async () => {
  expect(unhandled).toEqual([]);
  const health = await h.app.inject({ method: 'GET', url: '/healthz' });
  expect(health.statusCode).toBe(200);
  const res = await h.post('/sync', syncRequest({ parent: environment({ environment: 'qa' }), rollout: rollout([]) }));
  expect(res.status).toBe(200);
  expect(tried).toBeGreaterThanOrEqual(10_000);
  expect([...answered.keys()].every((status) => status < 500)).toBe(true);
  // Figures for the README's reliability section.
  process.stdout.write(`hostile input: ${tried} requests, answers by status ${JSON.stringify(Object.fromEntries([...answered].sort()))}\n`);
});
