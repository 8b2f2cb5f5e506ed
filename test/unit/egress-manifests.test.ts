/**
 * The optional egress component (manifests/components/egress-github), as `kubectl kustomize`
 * renders it in examples/kustomize/egress-github: the install unchanged except the webhook
 * NetworkPolicy's egress, which allows DNS and HTTPS to public addresses only.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import YAML from 'yaml';
import { REPO_ROOT } from '../../scripts/generate-crd.js';

interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
  spec?: Record<string, unknown>;
}

function kustomize(dir: string): K8sObject[] {
  return YAML.parseAllDocuments(execFileSync('kubectl', ['kustomize', path.join(REPO_ROOT, dir)], { encoding: 'utf8' }))
    .map((d) => d.toJS() as K8sObject | null)
    .filter((d): d is K8sObject => d !== null);
}

const policyOf = (objects: K8sObject[]) => objects.find((o) => o.kind === 'NetworkPolicy' && o.metadata.name === 'environment-sync')!;
const install = kustomize('manifests');
const narrowed = kustomize('examples/kustomize/egress-github');

/** Whether an IPv4 address falls in a CIDR. */
function inCidr(address: string, cidr: string): boolean {
  const [base, bits] = cidr.split('/') as [string, string];
  const toInt = (a: string) => a.split('.').reduce((n, part) => (n << 8) + Number(part), 0) >>> 0;
  const mask = Number(bits) === 0 ? 0 : (~0 << (32 - Number(bits))) >>> 0;
  return (toInt(address) & mask) >>> 0 === (toInt(base) & mask) >>> 0;
}

type Rule = { to?: { ipBlock?: { cidr: string; except?: string[] } }[]; ports: { protocol: string; port: number }[] };

/** Whether the policy's egress admits TCP/UDP `port` at `address`. */
function admits(rules: Rule[], address: string, protocol: string, port: number): boolean {
  return rules.some(
    (rule) =>
      rule.ports.some((p) => p.protocol === protocol && p.port === port) &&
      (rule.to === undefined ||
        rule.to.some(
          (peer) => peer.ipBlock !== undefined && inCidr(address, peer.ipBlock.cidr) && !(peer.ipBlock.except ?? []).some((e) => inCidr(address, e)),
        )),
  );
}

describe('manifests/components/egress-github', () => {
  test('changes only the egress of the webhook NetworkPolicy; the default install keeps egress open', () => {
    const others = (objects: K8sObject[]) => objects.filter((o) => o !== policyOf(objects));
    expect(others(narrowed)).toEqual(others(install));
    expect(policyOf(install).spec!.egress).toEqual([{}]);
    const { egress: _narrowed, ...rest } = policyOf(narrowed).spec!;
    const { egress: _open, ...defaults } = policyOf(install).spec!;
    expect(rest).toEqual(defaults);
  });

  test('DNS on UDP and TCP 53; HTTPS to public addresses; nothing to private, link-local (cloud metadata) or loopback addresses, nor other ports', () => {
    const rules = policyOf(narrowed).spec!.egress as Rule[];
    expect(rules.map((r) => r.ports)).toEqual([
      [
        { protocol: 'UDP', port: 53 },
        { protocol: 'TCP', port: 53 },
      ],
      [{ protocol: 'TCP', port: 443 }],
    ]);
    const cases: [string, string, number, boolean][] = [
      ['10.96.0.10', 'UDP', 53, true],
      ['10.96.0.10', 'TCP', 53, true],
      ['140.82.112.6', 'TCP', 443, true],
      ['140.82.112.6', 'TCP', 80, false],
      ['140.82.112.6', 'TCP', 8443, false],
      ['169.254.169.254', 'TCP', 443, false],
      ['10.0.0.5', 'TCP', 443, false],
      ['172.20.1.1', 'TCP', 443, false],
      ['192.168.1.10', 'TCP', 443, false],
      ['100.100.100.200', 'TCP', 443, false],
      ['127.0.0.1', 'TCP', 443, false],
      ['10.96.0.1', 'TCP', 443, false],
    ];
    expect(cases.map(([address, protocol, port]) => [address, protocol, port, admits(rules, address, protocol, port)])).toEqual(cases);
  });
});
