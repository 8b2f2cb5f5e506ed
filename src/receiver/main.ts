/** `node dist/receiver/main.js`: the GitHub webhook receiver as a process, configured by environment variables. */
import { pino } from 'pino';
import { REDACT_PATHS } from './redact.js';
import { loadReceiverConfig, ReceiverConfigError, type ReceiverConfig } from './config.js';
import { startReceiver } from './index.js';

let config: ReceiverConfig;
try {
  config = loadReceiverConfig(process.env);
} catch (error) {
  if (!(error instanceof ReceiverConfigError)) throw error;
  console.error(`environment-sync receiver: invalid configuration: ${error.message}`);
  process.exit(2);
}

const logger = pino({ level: config.logLevel, base: { service: 'environment-sync-receiver' }, redact: { paths: REDACT_PATHS, censor: '[REDACTED]' } });
try {
  const receiver = await startReceiver({ config, logger, defaultMetrics: true });
  logger.info(
    { webhook: receiver.webhookUrl, metrics: receiver.metricsUrl, namespaces: config.namespaces },
    'environment-sync receiver is listening for GitHub deliveries',
  );
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    receiver.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
} catch (error) {
  logger.fatal({ error: error instanceof Error ? error.message : String(error) }, 'receiver could not start');
  process.exit(1);
}
