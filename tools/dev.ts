/**
 * `npm run dev`: the service backed by the embedded GitHub emulator, seeded with the
 * demo ledger in examples/github-seed.json, and the webhook receiver the emulator delivers
 * to. No token, no network, no cluster needed.
 */
import { buildApp, createLogger } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { buildMetricsApp } from '../src/metrics-app.js';
import { Metrics } from '../src/metrics.js';
import { startDemoGitHub } from './demo-github.js';
import { startDevReceiver } from './dev-receiver.js';

const { emulator, seed } = await startDemoGitHub({ port: Number(process.env.EMULATOR_PORT ?? 0) });
const config = loadConfig({ ...process.env, GITHUB_API_URL: emulator.url, HOST: process.env.HOST ?? '127.0.0.1' });
const logger = createLogger(config.logLevel);
logger.warn(
  { emulator: emulator.url, repository: seed.repository },
  'DEVELOPMENT MODE: GitHub is the embedded EMULATOR seeded from examples/github-seed.json, not api.github.com',
);
const metrics = new Metrics();
const app = await buildApp(config, { logger, metrics });
const metricsApp = buildMetricsApp(metrics, logger);
const receiver = await startDevReceiver({
  emulator,
  hookApp: app,
  logger,
  host: config.host,
  port: Number(process.env.RECEIVER_PORT ?? 8090),
  // The hook service's metrics are on METRICS_PORT (9090); the receiver's are beside them.
  metricsPort: Number(process.env.RECEIVER_METRICS_PORT ?? 9091),
});
const stop = () => {
  void receiver
    .close()
    .then(() => Promise.all([app.close(), metricsApp.close()]))
    .then(() => emulator.close())
    .then(() => process.exit(0));
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
await app.listen({ port: config.port, host: config.host });
await metricsApp.listen({ port: config.metricsPort, host: config.host });
logger.info({ webhook: receiver.webhookUrl, metrics: receiver.metricsUrl }, 'the emulator delivers signed webhooks to the receiver');
logger.info(`try: curl -s -H 'content-type: application/json' --data @examples/sync-production.json http://${config.host}:${config.port}/sync`);
