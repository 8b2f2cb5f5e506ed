import {
  buildObjectMap,
  customizeRequest,
  groupKey,
  HookResponseError,
  objectKey,
  parseCustomizeResponse,
  parseSyncResponse,
  syncRequest,
} from '../../../src/runner/hook-protocol.js';
import type { KubeObject } from '../../../src/runner/types.js';

const gate: KubeObject = { apiVersion: 'kuberik.com/v1alpha1', kind: 'RolloutGate', metadata: { name: 'prod-gate', namespace: 'team-a' } };
const secret: KubeObject = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'github-token', namespace: 'team-a' } };
const node: KubeObject = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' } };

describe('v2 object maps', () => {
  it('keys groups by Kind.apiVersion and objects by namespace/name (name when cluster-scoped)', () => {
    expect(groupKey('Secret', 'v1')).toBe('Secret.v1');
    expect(groupKey('RolloutGate', 'kuberik.com/v1alpha1')).toBe('RolloutGate.kuberik.com/v1alpha1');
    expect(objectKey(secret)).toBe('team-a/github-token');
    expect(objectKey(node)).toBe('n1');
  });

  it('has an entry for every declared group, even empty ones', () => {
    const map = buildObjectMap(
      [
        { kind: 'RolloutGate', apiVersion: 'kuberik.com/v1alpha1' },
        { kind: 'Rollout', apiVersion: 'kuberik.com/v1alpha1' },
      ],
      [gate, secret, node],
    );
    expect(map).toEqual({
      'RolloutGate.kuberik.com/v1alpha1': { 'team-a/prod-gate': gate },
      'Rollout.kuberik.com/v1alpha1': {},
      'Secret.v1': { 'team-a/github-token': secret },
      'Node.v1': { n1: node },
    });
  });

  it('builds the request envelopes with exactly Metacontroller’s keys', () => {
    const controller: KubeObject = { apiVersion: 'metacontroller.k8s.io/v1alpha1', kind: 'CompositeController', metadata: { name: 'c' } };
    expect(customizeRequest(controller, gate)).toEqual({ controller, parent: gate });
    expect(syncRequest({ controller, parent: gate, children: {}, related: { 'Secret.v1': {} }, finalizing: true })).toEqual({
      controller,
      parent: gate,
      children: {},
      related: { 'Secret.v1': {} },
      finalizing: true,
    });
  });
});

describe('parseSyncResponse (strict v2)', () => {
  it('reads status, children, resyncAfterSeconds and finalized', () => {
    expect(parseSyncResponse(JSON.stringify({ status: { a: 1 }, children: [gate], resyncAfterSeconds: 2.5, finalized: true }))).toEqual({
      status: { a: 1 },
      children: [gate],
      resyncAfterSeconds: 2.5,
      finalized: true,
    });
  });

  it('treats missing or null status and children as none: every child is then deleted', () => {
    expect(parseSyncResponse('{}')).toEqual({ status: null, children: [], finalized: false });
    expect(parseSyncResponse('{"status":null,"children":null}')).toEqual({ status: null, children: [], finalized: false });
  });

  it.each([
    ['{"status":{},"children":[],"labels":{}}', 'strict validation failed: unknown field(s) "labels" in response'],
    ['', 'the response body is not JSON'],
    ['[]', 'the response body is not a JSON object'],
    ['{"status":[]}', 'status must be an object'],
    ['{"children":{}}', 'children must be a list'],
    ['{"resyncAfterSeconds":"5"}', 'resyncAfterSeconds must be a number'],
    ['{"finalized":"yes"}', 'finalized must be a boolean'],
    ['{"children":[{"apiVersion":"v1","metadata":{"name":"x"}}]}', 'children[0] needs apiVersion and kind'],
    ['{"children":[{"apiVersion":"v1","kind":"ConfigMap","metadata":{}}]}', 'children[0].metadata.name is required'],
  ])('rejects %s', (body, message) => {
    expect(() => parseSyncResponse(body)).toThrow(new HookResponseError(message));
  });
});

describe('parseCustomizeResponse', () => {
  it('reads rules; empty namespace and names are dropped', () => {
    expect(
      parseCustomizeResponse(
        JSON.stringify({
          relatedResources: [
            { apiVersion: 'kuberik.com/v1alpha1', resource: 'rollouts', namespace: 'team-a', names: ['web'] },
            {
              apiVersion: 'v1',
              resource: 'configmaps',
              namespace: '',
              names: [],
              labelSelector: { matchLabels: { a: 'b' }, matchExpressions: [{ key: 'c', operator: 'Exists' }] },
            },
          ],
        }),
      ),
    ).toEqual([
      { apiVersion: 'kuberik.com/v1alpha1', resource: 'rollouts', namespace: 'team-a', names: ['web'] },
      {
        apiVersion: 'v1',
        resource: 'configmaps',
        labelSelector: { matchLabels: { a: 'b' }, matchExpressions: [{ key: 'c', operator: 'Exists', values: [] }] },
      },
    ]);
    expect(parseCustomizeResponse('{}')).toEqual([]);
  });

  it.each([
    ['{"relatedResources":[],"extra":1}', 'strict validation failed: unknown field(s) "extra" in response'],
    ['{"relatedResources":[{"apiVersion":"v1","kind":"Secret"}]}', 'strict validation failed: unknown field(s) "kind" in relatedResources[0]'],
    ['{"relatedResources":[{"apiVersion":"v1"}]}', 'relatedResources[0].resource is required'],
    [
      '{"relatedResources":[{"apiVersion":"v1","resource":"secrets","names":["a"],"labelSelector":{}}]}',
      'relatedResources[0]: names cannot be combined with labelSelector',
    ],
    [
      '{"relatedResources":[{"apiVersion":"v1","resource":"secrets","namespaceSelector":{}}]}',
      'relatedResources[0].namespaceSelector is not supported by the runner',
    ],
    [
      '{"relatedResources":[{"apiVersion":"v1","resource":"secrets","labelSelector":{"matchExpressions":[{"key":"a","operator":"Equals"}]}}]}',
      'relatedResources[0].labelSelector.matchExpressions[0] needs a key and an operator In, NotIn, Exists or DoesNotExist',
    ],
  ])('rejects %s', (body, message) => {
    expect(() => parseCustomizeResponse(body)).toThrow(new HookResponseError(message));
  });
});
