/**
 * Child-process entry of the benchmark: runs the service (configured by environment
 * variables, like src/main.ts) and reports its CPU time and memory over IPC. Plain
 * JavaScript so that it can run the compiled service (BENCH_SERVICE_DIST, no TypeScript
 * loader in the process whose memory is measured) or, under tsx, the sources.
 */
import { reportStatsOverIpc } from './process-stats.mjs';

const root = process.env.BENCH_SERVICE_DIST ? new URL(`file://${process.env.BENCH_SERVICE_DIST}/`) : new URL('../src/', import.meta.url);
const { buildApp, createLogger } = await import(new URL('app.js', root).href);
const { loadConfig } = await import(new URL('config.js', root).href);
const { Metrics } = await import(new URL('metrics.js', root).href);
const { buildMetricsApp } = await import(new URL('metrics-app.js', root).href);

const config = loadConfig({ ...process.env, HOST: '127.0.0.1', PORT: '0', METRICS_PORT: '0' });
const logger = createLogger(config.logLevel);
const metrics = new Metrics();
const app = await buildApp(config, { logger, metrics });
const metricsApp = buildMetricsApp(metrics, logger);
const portOf = async (fastify) => {
  await fastify.listen({ port: 0, host: '127.0.0.1' });
  const address = fastify.server.address();
  return typeof address === 'object' && address ? address.port : 0;
};
const port = await portOf(app);
const metricsPort = await portOf(metricsApp);

reportStatsOverIpc();
process.once('SIGTERM', () => {
  void Promise.all([app.close(), metricsApp.close()]).then(() => process.exit(0));
});
process.send({ url: `http://127.0.0.1:${port}`, metricsUrl: `http://127.0.0.1:${metricsPort}` });
