/** x-ratelimit-resource becomes a metric label only when GitHub uses that name. */
import { rateLimitResource } from '../../../src/github/rate-limit-resource.js';

describe('rateLimitResource', () => {
  it.each(['core', 'graphql', 'search', 'code_search', 'integration_manifest', 'actions_runner_registration', 'dependency_snapshots', 'audit_log'])(
    '%s stays',
    (name) => {
      expect(rateLimitResource(name)).toBe(name);
    },
  );

  it.each([null, '', 'Core', 'core ', 'graphql\n', 'evil_{a="b"}', 'x'.repeat(10_000), 'tenant-123'])('%j is "other"', (header) => {
    expect(rateLimitResource(header)).toBe('other');
  });
});
