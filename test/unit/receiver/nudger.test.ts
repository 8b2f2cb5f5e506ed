import { jest } from '@jest/globals';
import { GITHUB_EVENT_ANNOTATION } from '../../../src/core/github-event.js';
import { ReceiverMetrics } from '../../../src/receiver/metrics.js';
import { Nudger } from '../../../src/receiver/nudger.js';
import { captureLogs, metricLines, RecordingWriter } from '../../support/receiver.js';

function setup() {
  const writer = new RecordingWriter();
  const metrics = new ReceiverMetrics();
  const logs = captureLogs();
  let clock = Date.parse('2026-12-06T10:00:00.000Z');
  const nudger = new Nudger({ writer, metrics, logger: logs.logger, windowMs: 60_000, now: () => clock });
  return { writer, metrics, logs, nudger, advance: (ms: number) => (clock += ms), at: () => clock };
}

const production = { namespace: 'team-a', name: 'production' };
const staging = { namespace: 'team-a', name: 'staging' };

describe('Nudger', () => {
  it('coalesces many deliveries for one Environment into one merge patch carrying the newest delivery', async () => {
    const { writer, nudger, advance, at } = setup();
    nudger.submit([production, staging], 'delivery-1', at());
    advance(100);
    nudger.submit([production], 'delivery-2', at());
    advance(100);
    nudger.submit([production], 'delivery-3', at());
    expect(writer.patches).toEqual([]);
    expect(nudger.pendingCount).toBe(2);
    await nudger.flush();
    expect(writer.patches).toEqual([
      { target: production, patch: { metadata: { annotations: { [GITHUB_EVENT_ANNOTATION]: 'delivery-3@2026-12-06T10:00:00.200Z' } } } },
      { target: staging, patch: { metadata: { annotations: { [GITHUB_EVENT_ANNOTATION]: 'delivery-1@2026-12-06T10:00:00.000Z' } } } },
    ]);
    expect(nudger.pendingCount).toBe(0);
  });

  it('keeps the newest delivery when an older one arrives late', async () => {
    const { writer, nudger, at } = setup();
    nudger.submit([production], 'newer', at() + 500);
    nudger.submit([production], 'older', at());
    await nudger.flush();
    expect(writer.patches.map((p) => (p.patch.metadata as any).annotations[GITHUB_EVENT_ANNOTATION])).toEqual(['newer@2026-12-06T10:00:00.500Z']);
  });

  it('counts patched, gone and failed nudges and times delivery to nudge from the first coalesced delivery', async () => {
    const { writer, metrics, logs, nudger, advance, at } = setup();
    writer.gone.add('team-a/deleted');
    writer.failing.add('team-a/unreachable');
    nudger.submit([production, { namespace: 'team-a', name: 'deleted' }, { namespace: 'team-a', name: 'unreachable' }], 'd-1', at());
    advance(300);
    await nudger.flush();
    expect(await metricLines(metrics, 'environment_sync_receiver_nudges_total')).toEqual([
      'environment_sync_receiver_nudges_total{outcome="failed"} 1',
      'environment_sync_receiver_nudges_total{outcome="gone"} 1',
      'environment_sync_receiver_nudges_total{outcome="patched"} 1',
    ]);
    expect(await metricLines(metrics, 'environment_sync_receiver_delivery_to_nudge_seconds_sum')).toEqual([
      'environment_sync_receiver_delivery_to_nudge_seconds_sum 0.3',
    ]);
    expect(await metricLines(metrics, 'environment_sync_receiver_delivery_to_nudge_seconds_count')).toEqual([
      'environment_sync_receiver_delivery_to_nudge_seconds_count 1',
    ]);
    const lines = logs
      .lines()
      .map((l) => ({ msg: l.msg, delivery: l.delivery, environment: l.environment }))
      .sort((a, b) => a.environment.localeCompare(b.environment));
    expect(lines).toEqual([
      { msg: 'Environment to nudge is gone', delivery: 'd-1', environment: 'deleted' },
      { msg: 'nudged Environment', delivery: 'd-1', environment: 'production' },
      { msg: 'could not nudge Environment; its next resync picks the news up', delivery: 'd-1', environment: 'unreachable' },
    ]);
  });

  it('flushes on its own after the window', async () => {
    jest.useFakeTimers();
    try {
      const writer = new RecordingWriter();
      const nudger = new Nudger({ writer, metrics: new ReceiverMetrics(), logger: captureLogs().logger, windowMs: 250, now: () => 0 });
      nudger.submit([production], 'd', 0);
      jest.advanceTimersByTime(249);
      expect(writer.patches).toEqual([]);
      jest.advanceTimersByTime(1);
      await nudger.close();
      expect(writer.patches.map((p) => p.target)).toEqual([production]);
    } finally {
      jest.useRealTimers();
    }
  });
});
