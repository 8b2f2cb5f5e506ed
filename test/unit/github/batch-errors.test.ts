import { pinErrors } from '../../../src/github/batch-errors.js';

/** Three parts: r0 looks up no statuses, r1 two deployments' statuses, r2 one. */
const statusPages = [[], [{ deploymentId: 'DE_a' }, { deploymentId: 'DE_b' }], [{ deploymentId: 'DE_c' }]];

describe('pinErrors', () => {
  test('a missing repository fails its part; a deployment gone from a status lookup is dropped from its part', () => {
    const pinned = pinErrors(
      [
        { type: 'NOT_FOUND', message: "Could not resolve to a Repository with the name 'o/r0'.", path: ['r0'] },
        { type: 'NOT_FOUND', message: "Could not resolve to a node with the global id of 'DE_b'", path: ['r1s1'] },
        { type: 'FORBIDDEN', message: 'Resource protected by organization SAML enforcement.', path: ['r2s0', 'statuses'] },
      ],
      statusPages,
    );
    expect(pinned).toEqual({
      failed: new Map([
        [0, [{ type: 'NOT_FOUND', message: "Could not resolve to a Repository with the name 'o/r0'.", path: ['r0'] }]],
        [2, [{ type: 'FORBIDDEN', message: 'Resource protected by organization SAML enforcement.', path: ['r2s0', 'statuses'] }]],
      ]),
      deleted: new Map([[1, ['DE_b']]]),
    });
  });

  test.each([
    ['a rate limit', { type: 'RATE_LIMITED', message: 'API rate limit exceeded', path: ['r0'] }],
    ['an error without a path', { type: 'NOT_FOUND', message: 'Not found' }],
    ['a field of no part', { type: 'NOT_FOUND', message: 'Not found', path: ['r3'] }],
    ['a status lookup beyond the part', { type: 'NOT_FOUND', message: 'Not found', path: ['r2s1'] }],
  ])('%s fails the whole query', (_name, error) => {
    expect(pinErrors([error], statusPages)).toBeUndefined();
  });
});
