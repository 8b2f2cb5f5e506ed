import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadReceiverConfig } from '../../../src/receiver/config.js';

describe('loadReceiverConfig', () => {
  it('has defaults that keep the webhook and metrics listeners apart', () => {
    const config = loadReceiverConfig({ WEBHOOK_SECRET: 's1' });
    expect({ ...config, secrets: config.secrets.current().map(String) }).toEqual({
      host: '0.0.0.0',
      port: 8090,
      metricsPort: 9090,
      namespaces: [],
      bodyLimitBytes: 1_048_576,
      coalesceMs: 250,
      dedupSize: 10_000,
      logLevel: 'info',
      secrets: ['s1'],
    });
  });

  it('requires a secret and rejects bad numbers, naming the variable', () => {
    expect(() => loadReceiverConfig({})).toThrow('a webhook secret is required: WEBHOOK_SECRET or WEBHOOK_SECRET_FILE');
    expect(() => loadReceiverConfig({ WEBHOOK_SECRET: 's', RECEIVER_PORT: 'http' })).toThrow('RECEIVER_PORT must be a whole number, not "http"');
    expect(() => loadReceiverConfig({ WEBHOOK_SECRET: 's', RECEIVER_PORT: '9090' })).toThrow('RECEIVER_PORT and RECEIVER_METRICS_PORT must differ');
    expect(() => loadReceiverConfig({ WEBHOOK_SECRET: 's', RECEIVER_BODY_LIMIT_BYTES: '10' })).toThrow(
      'RECEIVER_BODY_LIMIT_BYTES must be between 1024 and 26214400',
    );
  });

  it('takes two secrets at once and re-reads mounted files, so a rotation needs no restart', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'receiver-secret-'));
    writeFileSync(path.join(dir, 'secret'), 'new\n');
    writeFileSync(path.join(dir, 'previous'), 'old');
    let now = 0;
    const config = loadReceiverConfig(
      { WEBHOOK_SECRET_FILE: path.join(dir, 'secret'), WEBHOOK_SECRET_PREVIOUS_FILE: path.join(dir, 'previous'), RECEIVER_NAMESPACES: 'team-a, team-b' },
      () => now,
    );
    expect(config.namespaces).toEqual(['team-a', 'team-b']);
    expect(config.secrets.current().map(String)).toEqual(['new', 'old']);
    writeFileSync(path.join(dir, 'secret'), 'newer');
    now = 29_999;
    expect(config.secrets.current().map(String)).toEqual(['new', 'old']);
    now = 30_000;
    expect(config.secrets.current().map(String)).toEqual(['newer', 'old']);
  });
});
