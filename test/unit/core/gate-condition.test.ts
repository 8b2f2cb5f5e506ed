/** Spec §5.6 / issue 12 item 3: a closed gate says where it looked. */
import { decideSync } from '../../../src/core/decide.js';
import type { Ledger } from '../../../src/core/types.js';
import { interpretRequest, ledger, LOCAL_URL } from './scenario.js';

const T1 = '2026-11-21T10:00:00Z';
const options = { now: T1, localEnvironmentUrl: LOCAL_URL, unconfirmedWindowMs: 40_000 };
const GATE = 'my-app-production-gate';

function gateReady(l: Ledger | undefined, requestOptions: Parameters<typeof interpretRequest>[0] = {}) {
  const outcome = l ? { ledger: l } : { readProblem: { reason: 'GitHubUnavailable', message: 'GitHub answered 502', transient: true } };
  const d = decideSync(interpretRequest(requestOptions), outcome, options);
  const c = d.status.conditions?.find((x) => x.type === 'GateReady');
  return { status: c?.status, reason: c?.reason, message: c?.message, allowed: d.children.map((g) => g.spec.allowedVersions) };
}

describe('GateReady on a closed gate', () => {
  it('names the repository and GitHub environment it looked at, and the environments it did find, when the upstream has no deployment', () => {
    const l = ledger();
    const withoutStaging: Ledger = { ...l, deployments: l.deployments.filter((d) => d.environment !== 'staging') };
    expect(gateReady(withoutStaging)).toEqual({
      status: 'True',
      reason: 'UpstreamNotDeployed',
      message: `Gate ${GATE} allows no versions: GitHub environment kuberik/my-app/staging of my-org/my-repo has no deployment of kuberik/my-app (task deploy:kuberik/my-app); environments of kuberik/my-app with deployments: dev, production, qa, sandbox`,
      allowed: [[]],
    });
  });

  it('says "none" when the application has no deployments at all', () => {
    expect(gateReady({ environments: [], deployments: [] }).message).toBe(
      `Gate ${GATE} allows no versions: GitHub environment kuberik/my-app/staging of my-org/my-repo has no deployment of kuberik/my-app (task deploy:kuberik/my-app); environments of kuberik/my-app with deployments: none`,
    );
  });

  it('says how many upstream deployments it saw when none qualifies', () => {
    const l = ledger();
    const failedOnly: Ledger = {
      ...l,
      deployments: l.deployments.map((d) =>
        d.environment === 'staging'
          ? { ...d, statuses: [{ state: 'failure', description: 'Bake failed', environmentUrl: '', createdAt: '2026-11-21T09:59:00Z' }] }
          : d,
      ),
    };
    const staging = l.deployments.filter((d) => d.environment === 'staging').length;
    expect(gateReady(failedOnly)).toEqual({
      status: 'True',
      reason: 'GateClosed',
      message: `Gate ${GATE} allows no versions: none of the ${staging} deployment(s) in GitHub environment kuberik/my-app/staging of my-org/my-repo is a release candidate of Rollout my-app baked successfully in staging`,
      allowed: [[]],
    });
  });

  it('keeps the GateComputed message for an open gate', () => {
    expect(gateReady(ledger())).toEqual({
      status: 'True',
      reason: 'GateComputed',
      message: `Gate ${GATE} allows 1 version(s) baked successfully in staging`,
      allowed: [['v1.0.0']],
    });
  });

  it('does not claim to keep a gate that did not exist before', () => {
    expect(gateReady(undefined)).toEqual({
      status: 'False',
      reason: 'GateClosed',
      message: `Gate ${GATE} allows no versions until this can be resolved: GitHub answered 502`,
      allowed: [[]],
    });
  });
});
