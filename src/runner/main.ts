/** `node dist/runner/main.js`: the runner as a process, configured by flags and environment variables. */
import { pino } from 'pino';
import { startRunner } from './index.js';
import { OptionsError, parseRunnerOptions, USAGE, type RunnerOptions } from './options.js';

let options: RunnerOptions | null;
try {
  options = parseRunnerOptions(process.argv.slice(2), process.env);
} catch (error) {
  if (!(error instanceof OptionsError)) throw error;
  console.error(`environment-sync runner: ${error.message}\n\n${USAGE}`);
  process.exit(2);
}
if (options === null) {
  console.log(USAGE);
  process.exit(0);
}

const logger = pino({ level: options.logLevel, base: { service: 'environment-sync-runner' } });
try {
  const runner = await startRunner({
    manifestPath: options.manifestPath,
    workers: options.workers,
    backoff: options.backoff,
    logger,
    ...(options.kubeconfigPath ? { kubeconfigPath: options.kubeconfigPath } : {}),
    ...(options.hookBaseUrl ? { hookBaseUrl: options.hookBaseUrl } : {}),
  });
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    runner.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
} catch (error) {
  logger.fatal({ error: error instanceof Error ? error.message : String(error) }, 'runner could not start');
  process.exit(1);
}
