import { formatGithubEventAnnotation, GITHUB_EVENT_ANNOTATION, parseGithubEventAnnotation } from '../../../src/core/github-event.js';

describe('the github-event annotation', () => {
  const at = Date.parse('2026-12-06T05:00:01.234Z');

  it('has the documented key', () => {
    expect(GITHUB_EVENT_ANNOTATION).toBe('environments.kuberik.com/github-event');
  });

  it('round-trips a delivery id and time', () => {
    const value = formatGithubEventAnnotation('72d3162e-cc78-11e3-81ab-4c9367dc0958', at);
    expect(value).toBe('72d3162e-cc78-11e3-81ab-4c9367dc0958@2026-12-06T05:00:01.234Z');
    expect(parseGithubEventAnnotation(value)).toEqual({ deliveryId: '72d3162e-cc78-11e3-81ab-4c9367dc0958', atMs: at });
  });

  it('strips characters a delivery id never has', () => {
    expect(formatGithubEventAnnotation('a b/c@d', at)).toBe('abcd@2026-12-06T05:00:01.234Z');
    expect(formatGithubEventAnnotation('@@', at)).toBe('unknown@2026-12-06T05:00:01.234Z');
  });

  it.each([
    undefined,
    42,
    '',
    'abc',
    '@2026-12-06T05:00:01.234Z',
    'x@yesterday',
    'x@2026-12-06T05:00:01+01:00',
    `${'a'.repeat(65)}@2026-12-06T05:00:01Z`,
    'a b@2026-12-06T05:00:01Z',
  ])('ignores %j', (value) => {
    expect(parseGithubEventAnnotation(value)).toBeUndefined();
  });

  it('accepts whole seconds', () => {
    expect(parseGithubEventAnnotation('d1@2026-12-06T05:00:01Z')).toEqual({ deliveryId: 'd1', atMs: Date.parse('2026-12-06T05:00:01Z') });
  });
});
