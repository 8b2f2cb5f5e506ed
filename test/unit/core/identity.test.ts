/**
 * Spec §3: the two Environment forms. kuberik's docs show `name: "production"` without
 * `environment` (the name is "the human-readable environment name"); kuberik's Go
 * controller reads `name` as the application and `environment` as the environment
 * (environment-controller internal/controller/githubenvironment_controller.go:774-776).
 * Both must name the same GitHub records.
 */
import { decideSync } from '../../../src/core/decide.js';
import { resolveIdentity } from '../../../src/core/naming.js';
import { planPublication } from '../../../src/core/plan.js';
import { checkSpec, environment, interpretRequest, ledger, LOCAL_URL, productionSpec, request, siblings } from './scenario.js';
import { interpret, type Interpretation } from '../../../src/core/interpret.js';

const T1 = '2026-11-21T10:00:00Z';

/** The docs' production object: no spec.environment. */
function docsSpec(): Record<string, unknown> {
  const { environment: _environment, ...rest } = productionSpec();
  return { ...rest, name: 'production' };
}

function ok(interpretation: Interpretation) {
  if (!interpretation.ok) throw new Error(`expected a usable request, got ${interpretation.problem.reason}: ${interpretation.problem.message}`);
  return interpretation.context;
}

/** The siblings, rewritten into the docs' form (same application and environments). */
function docsFormSiblings() {
  return siblings().map((o) => {
    const spec = (o as unknown as { spec: Record<string, unknown> }).spec;
    const { environment: env, name: _name, ...rest } = spec;
    return environment(o.metadata.name, { ...rest, name: env });
  });
}

describe('resolveIdentity', () => {
  it.each([
    [
      { name: 'my-app', environment: 'production', rolloutRef: { name: 'other' } },
      { application: 'my-app', environment: 'production' },
    ],
    [
      { name: 'kuberik/my-app', environment: 'staging' },
      { application: 'kuberik/my-app', environment: 'staging' },
    ],
    [
      { name: 'production', rolloutRef: { name: 'my-app' } },
      { application: 'my-app', environment: 'production' },
    ],
    [
      { name: 'production', environment: '', rolloutRef: { name: 'my-app' } },
      { application: 'my-app', environment: 'production' },
    ],
    [{ name: 'production' }, undefined],
    [{ environment: 'production', rolloutRef: { name: 'my-app' } }, undefined],
    [{ name: 'production', rolloutRef: { name: 7 } }, undefined],
  ])('%j → %j', (spec, expected) => {
    expect(resolveIdentity(spec)).toEqual(expected);
  });
});

describe('the docs form (no spec.environment)', () => {
  it('resolves environment = spec.name and application = rolloutRef.name', () => {
    const ctx = ok(interpretRequest({ spec: docsSpec() }));
    expect([ctx.application, ctx.environment]).toEqual(['my-app', 'production']);
  });

  it('publishes to the same GitHub environment and task as the Go form', () => {
    const ctx = ok(interpretRequest({ spec: docsSpec() }));
    const writes = planPublication({
      specName: ctx.application,
      environment: ctx.environment,
      relationship: ctx.relationship,
      history: ctx.history,
      deployments: [],
      environmentUrl: '',
    });
    expect(writes.map((w) => (w.kind === 'createDeployment' ? [w.body.environment, w.body.task] : w.kind))).toEqual([
      ['kuberik/my-app/production', 'deploy:kuberik/my-app'],
      ['kuberik/my-app/production', 'deploy:kuberik/my-app'],
    ]);
  });

  it('gives byte-identical status and gate to the Go form, with siblings in either form', () => {
    const options = { now: T1, localEnvironmentUrl: LOCAL_URL, unconfirmedWindowMs: 40_000 };
    const goForm = JSON.stringify(decideSync(interpretRequest({}), { ledger: ledger() }, options));
    expect(JSON.stringify(decideSync(interpretRequest({ spec: docsSpec() }), { ledger: ledger() }, options))).toBe(goForm);
    expect(JSON.stringify(decideSync(interpretRequest({ spec: docsSpec(), siblings: docsFormSiblings() }), { ledger: ledger() }, options))).toBe(goForm);
    expect(JSON.stringify(decideSync(interpretRequest({ siblings: docsFormSiblings() }), { ledger: ledger() }, options))).toBe(goForm);
  });

  it('matches siblings by resolved identity', () => {
    const ctx = ok(interpretRequest({ spec: docsSpec(), siblings: docsFormSiblings() }));
    expect([...ctx.siblings.entries()].sort()).toEqual([
      ['qa', { environment: 'dev', type: 'Parallel' }],
      ['staging', { environment: 'dev', type: 'After' }],
    ]);
  });

  it('shows the resolved application and environment in status', () => {
    const d = decideSync(interpretRequest({ spec: docsSpec() }), { ledger: ledger() }, { now: T1, localEnvironmentUrl: '', unconfirmedWindowMs: 40_000 });
    expect([d.status.application, d.status.environment]).toEqual(['kuberik/my-app', 'production']);
  });

  it('shows a name mix-up in status: name "production" with environment "production" is application kuberik/production', () => {
    const spec = { ...docsSpec(), environment: 'production' };
    const d = decideSync(interpretRequest({ spec }), { ledger: ledger() }, { now: T1, localEnvironmentUrl: '', unconfirmedWindowMs: 40_000 });
    expect([d.status.application, d.status.environment]).toEqual(['kuberik/production', 'production']);
  });

  it('refuses a "/" in spec.name when it names the environment', () => {
    const i = interpret(request({ spec: { ...docsSpec(), name: 'kuberik/production' } }), checkSpec);
    expect(i.ok ? undefined : i.problem).toEqual({
      reason: 'InvalidSpec',
      message: 'spec.name must not contain "/" when spec.environment is not set (it names the environment)',
    });
  });
});
