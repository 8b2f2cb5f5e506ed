import { desiredStatus, MAX_DESCRIPTION_BYTES, newestRecognisable, readBake, truncateUtf8 } from '../../../src/core/bake-status.js';
import type { LedgerStatus } from '../../../src/core/types.js';
import { fixture, fixtureDeployments, status } from './helpers.js';

const bytes = (s: string): number => Buffer.byteLength(s, 'utf8');

describe('desiredStatus: the §4 mapping table', () => {
  it.each<[string | undefined, string, string]>([
    ['Succeeded', 'success', 'Bake succeeded'],
    ['Failed', 'failure', 'Bake failed'],
    ['InProgress', 'in_progress', 'Baking in progress'],
    ['Deploying', 'in_progress', 'Deploying'],
    ['Cancelled', 'inactive', 'Bake cancelled'],
    [undefined, 'pending', 'Deploying'],
    ['', 'pending', 'Deploying'],
    ['None', 'pending', 'Deploying'],
    ['succeeded', 'pending', 'Deploying'],
    ['Unknown', 'pending', 'Deploying'],
    ['constructor', 'pending', 'Deploying'],
    ['toString', 'pending', 'Deploying'],
  ])('bakeStatus %j → %s / %j', (bakeStatus, state, prefix) => {
    expect(desiredStatus(bakeStatus, undefined)).toEqual({ state, description: prefix });
    expect(desiredStatus(bakeStatus, 'all good')).toEqual({ state, description: `${prefix}: all good` });
  });

  it('uses the prefix alone for an empty or whitespace-only message', () => {
    expect(desiredStatus('Failed', '')).toEqual({ state: 'failure', description: 'Bake failed' });
    expect(desiredStatus('Failed', '   \t\n ')).toEqual({ state: 'failure', description: 'Bake failed' });
  });

  it('trims the message', () => {
    expect(desiredStatus('Failed', '  health check x failed \n')).toEqual({
      state: 'failure',
      description: 'Bake failed: health check x failed',
    });
  });

  it('keeps a message that itself contains colons', () => {
    expect(desiredStatus('Failed', 'check: http: 503')).toEqual({
      state: 'failure',
      description: 'Bake failed: check: http: 503',
    });
  });

  it('cuts a long description to 140 bytes', () => {
    const long = desiredStatus('Succeeded', 'x'.repeat(500));
    expect(long).toEqual({ state: 'success', description: `Bake succeeded: ${'x'.repeat(140 - 16)}` });
    expect(bytes(long.description)).toBe(140);
  });

  it('cuts a long multi-byte description without splitting a character', () => {
    // "Bake failed: " is 13 bytes; each é is 2 bytes: 13 + 2·63 = 139, a 64th would make 141.
    const d = desiredStatus('Failed', 'é'.repeat(100));
    expect(d).toEqual({ state: 'failure', description: `Bake failed: ${'é'.repeat(63)}` });
    expect(bytes(d.description)).toBe(139);
  });
});

describe('truncateUtf8', () => {
  it('has a 140-byte limit', () => {
    expect(MAX_DESCRIPTION_BYTES).toBe(140);
  });

  it.each<[string, string, string, number]>([
    ['ASCII under the limit', 'a'.repeat(139), 'a'.repeat(139), 139],
    ['ASCII at the limit', 'a'.repeat(140), 'a'.repeat(140), 140],
    ['ASCII over the limit', 'a'.repeat(141), 'a'.repeat(140), 140],
    ['ASCII far over the limit', 'b'.repeat(1000), 'b'.repeat(140), 140],
    ['a 2-byte character ending exactly at 140', `${'a'.repeat(138)}é`, `${'a'.repeat(138)}é`, 140],
    ['a 2-byte character straddling 140', `${'a'.repeat(139)}é`, 'a'.repeat(139), 139],
    ['a 2-byte character straddling 140, then more', `${'a'.repeat(139)}éz`, 'a'.repeat(139), 139],
    ['a 3-byte character ending exactly at 140', `${'a'.repeat(137)}€`, `${'a'.repeat(137)}€`, 140],
    ['a 3-byte character straddling 140 (1 byte left)', `${'a'.repeat(139)}€`, 'a'.repeat(139), 139],
    ['a 3-byte character straddling 140 (2 bytes left)', `${'a'.repeat(138)}€`, 'a'.repeat(138), 138],
    ['a 4-byte emoji ending exactly at 140', `${'a'.repeat(136)}😀`, `${'a'.repeat(136)}😀`, 140],
    ['a 4-byte emoji straddling 140 (1 byte left)', `${'a'.repeat(139)}😀`, 'a'.repeat(139), 139],
    ['a 4-byte emoji straddling 140 (2 bytes left)', `${'a'.repeat(138)}😀`, 'a'.repeat(138), 138],
    ['a 4-byte emoji straddling 140 (3 bytes left)', `${'a'.repeat(137)}😀x`, 'a'.repeat(137), 137],
    ['only emoji', '😀'.repeat(40), '😀'.repeat(35), 140],
    ['only 3-byte characters', '日'.repeat(50), '日'.repeat(46), 138],
    ['only 2-byte characters', 'ß'.repeat(71), 'ß'.repeat(70), 140],
  ])('%s', (_what, input, output, outputBytes) => {
    const cut = truncateUtf8(input, 140);
    expect(cut).toBe(output);
    expect(bytes(cut)).toBe(outputBytes);
    expect(bytes(cut)).toBeLessThanOrEqual(140);
    expect(cut.includes('\uFFFD')).toBe(false);
  });

  it('never leaves a lone surrogate half', () => {
    for (let pad = 130; pad <= 140; pad++) {
      const cut = truncateUtf8(`${'a'.repeat(pad)}${'😀'.repeat(5)}`, 140);
      expect(bytes(cut)).toBeLessThanOrEqual(140);
      expect(Buffer.from(cut, 'utf8').toString('utf8')).toBe(cut);
      expect(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/.test(cut)).toBe(false);
    }
  });

  it('returns the empty string for a 0-byte budget', () => {
    expect(truncateUtf8('abc', 0)).toBe('');
  });
});

describe('readBake: reading a status back (spec §4)', () => {
  const byId = new Map(fixtureDeployments().map((d) => [d.payload.id, d]));

  it.each([...fixture.expected_reading.staging, ...fixture.expected_reading.production])(
    'fixture deployment id $id ($tag) reads as $bakeStatus',
    (expected) => {
      const deployment = byId.get(expected.id)!;
      const reading: Record<string, string> = { bakeStatus: expected.bakeStatus };
      if (expected.bakeStatusMessage !== undefined) reading.bakeStatusMessage = expected.bakeStatusMessage;
      expect(readBake(deployment.statuses)).toEqual(reading);
    },
  );

  it('skips GitHub\'s automatic "This deployment is inactive" status', () => {
    const v100 = byId.get(1)!;
    expect(v100.statuses[0]).toEqual({
      state: 'inactive',
      description: 'This deployment is inactive',
      environmentUrl: '',
      createdAt: '2026-11-19T09:10:06Z',
    });
    expect(newestRecognisable(v100.statuses)).toBe(v100.statuses[1]);
  });

  it('reads inactive + "Bake cancelled: x" as Cancelled', () => {
    expect(readBake([status('inactive', 'Bake cancelled: x', 't3'), status('in_progress', 'Baking in progress', 't2')])).toEqual({
      bakeStatus: 'Cancelled',
      bakeStatusMessage: 'x',
    });
    expect(readBake([status('inactive', 'Bake cancelled', 't3')])).toEqual({ bakeStatus: 'Cancelled' });
  });

  it('skips inactive statuses with any other known prefix', () => {
    expect(readBake([status('inactive', 'Bake succeeded: copied', 't3'), status('failure', 'Bake failed: boom', 't2')])).toEqual({
      bakeStatus: 'Failed',
      bakeStatusMessage: 'boom',
    });
  });

  it('skips our own finalize status "Environment deleted"', () => {
    expect(readBake([status('inactive', 'Environment deleted', 't3'), status('success', 'Bake succeeded', 't2')])).toEqual({ bakeStatus: 'Succeeded' });
  });

  it('reads every prefix it writes', () => {
    const cases: [string, string | undefined][] = [
      ['Succeeded', 'ok'],
      ['Failed', 'boom'],
      ['InProgress', undefined],
      ['Deploying', 'rolling'],
      ['Cancelled', 'superseded'],
    ];
    for (const [bakeStatus, message] of cases) {
      const d = desiredStatus(bakeStatus, message);
      const expected: Record<string, string> = { bakeStatus };
      if (message) expected.bakeStatusMessage = message;
      expect(readBake([status(d.state, d.description, 't')])).toEqual(expected);
    }
  });

  it('reads pending "Deploying" (an entry without bake state) as no bake state', () => {
    expect(readBake([status('pending', 'Deploying', 't')])).toEqual({});
    expect(readBake([status('pending', 'Deploying: queued', 't')])).toEqual({ bakeStatusMessage: 'queued' });
  });

  it('takes the message as the trimmed text after the first colon', () => {
    expect(readBake([status('failure', 'Bake failed:   check: http: 503  ', 't')])).toEqual({
      bakeStatus: 'Failed',
      bakeStatusMessage: 'check: http: 503',
    });
    expect(readBake([status('failure', 'Bake failed:   ', 't')])).toEqual({ bakeStatus: 'Failed' });
  });

  it('returns {} when nothing is recognisable', () => {
    expect(readBake([])).toEqual({});
    expect(readBake([status('success', 'Deployed by Argo CD', 't'), status('inactive', 'This deployment is inactive', 't')])).toEqual({});
  });
});

describe('newestRecognisable', () => {
  it('ignores statuses with unknown prefixes and returns the newest known one', () => {
    const statuses: LedgerStatus[] = [
      status('success', 'Deployed by Argo CD', '2026-01-03T00:00:00Z'),
      status('failure', 'Bake failure: similar but unknown', '2026-01-02T12:00:00Z'),
      status('failure', 'Bake failed: boom', '2026-01-02T00:00:00Z'),
      status('in_progress', 'Deploying', '2026-01-01T00:00:00Z'),
    ];
    expect(newestRecognisable(statuses)).toBe(statuses[2]);
  });

  it('is undefined for an empty list or only unknown statuses', () => {
    expect(newestRecognisable([])).toBeUndefined();
    expect(newestRecognisable([status('error', 'GitHub Actions failed', 't')])).toBeUndefined();
  });

  it('takes the list order as newest first (does not re-sort)', () => {
    const statuses = [status('success', 'Bake succeeded', '2026-01-01T00:00:00Z'), status('failure', 'Bake failed', '2026-01-02T00:00:00Z')];
    expect(newestRecognisable(statuses)).toBe(statuses[0]);
  });
});
