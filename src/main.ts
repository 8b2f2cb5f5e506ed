/** Production entry point: `node dist/main.js`, configured by environment variables. */
import type { Logger } from 'pino';
import { buildApp, createLogger } from './app.js';
import { ConfigError, configWarnings, loadConfig, type Config } from './config.js';
import { Shutdown } from './hooks/shutdown.js';
import { buildMetricsApp } from './metrics-app.js';
import { Metrics } from './metrics.js';

export async function start(config: Config, env: Record<string, string | undefined>, logger: Logger): Promise<void> {
  for (const warning of configWarnings(env, config)) logger.warn(warning);
  const metrics = new Metrics();
  const shutdown = new Shutdown();
  const app = await buildApp(config, { logger, metrics, shutdown });
  const metricsApp = buildMetricsApp(metrics, logger);
  const close = () => Promise.all([app.close(), metricsApp.close()]);
  const stopped = () => {
    logger.info('stopped');
    process.exit(0);
  };
  const failed = (error: unknown) => {
    logger.error({ err: error }, 'stopping failed');
    process.exit(1);
  };
  // SIGTERM (a rolling restart, a drain) drains first; a second signal, or SIGINT, stops at once.
  process.once('SIGTERM', () => {
    logger.info({ signal: 'SIGTERM', drainSeconds: config.drainSeconds }, 'draining: /readyz fails, answers close their connections');
    const drainEnd = new Promise<unknown>((resolve) => {
      setTimeout(resolve, config.drainSeconds * 1000).unref();
      process.once('SIGTERM', resolve);
    });
    void shutdown.drain(drainEnd, close).then(stopped, failed);
  });
  process.once('SIGINT', () => void close().then(stopped, failed));
  const address = await listen(app, config.port, config.host, 'PORT');
  const metricsAddress = await listen(metricsApp, config.metricsPort, config.host, 'METRICS_PORT');
  logger.info(
    { address, metricsAddress, githubApiUrl: config.githubApiUrl, dashboardUrl: config.dashboardUrl || undefined },
    'environment-sync is serving Metacontroller hooks',
  );
}

/** A listener that cannot start, as one line naming the variable to change. */
export class StartupError extends Error {
  override name = 'StartupError';
}

async function listen(app: Awaited<ReturnType<typeof buildApp>>, port: number, host: string, portVariable: string): Promise<string> {
  try {
    return await app.listen({ port, host });
  } catch (error) {
    throw new StartupError(startupFailure(error, port, host, portVariable));
  }
}

/** Why a listener did not start, without a stack trace: the causes an operator can fix, named. */
export function startupFailure(error: unknown, port: number, host: string, portVariable: string): string {
  const { code, message } = error as { code?: string; message?: string };
  const where = `${host}:${port}`;
  if (code === 'EADDRINUSE') return `cannot listen on ${where}: the address is already in use (${portVariable}=${port}, HOST=${host})`;
  if (code === 'EADDRNOTAVAIL') return `cannot listen on ${where}: HOST=${host} is not an address of this machine`;
  if (code === 'EACCES') return `cannot listen on ${where}: permission denied (${portVariable}=${port} needs privileges below 1024)`;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `cannot listen on ${where}: HOST=${host} does not resolve to an address (${code})`;
  return `cannot listen on ${where}: ${code ? `${code} ` : ''}${message ?? String(error)}`;
}

/** Configuration and listening failures end the process with one log line and a non-zero exit. */
async function main(env: Record<string, string | undefined>): Promise<void> {
  let config: Config;
  try {
    config = loadConfig(env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    createLogger('info').fatal(`invalid configuration: ${error.message}`);
    process.exit(2);
  }
  const logger = createLogger(config.logLevel);
  try {
    await start(config, env, logger);
  } catch (error) {
    if (!(error instanceof StartupError)) throw error;
    logger.fatal(error.message);
    process.exit(1);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main(process.env);
