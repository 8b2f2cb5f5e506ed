/** Production entry point: `node dist/main.js`, configured by environment variables. */
import { buildApp, createLogger } from './app.js';
import { ConfigError, loadConfig, type Config } from './config.js';

export async function start(config: Config): Promise<void> {
  const logger = createLogger(config.logLevel);
  const app = await buildApp(config, { logger });
  const shutdown = (signal: string) => {
    logger.info({ signal }, 'shutting down');
    app.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
  const address = await app.listen({ port: config.port, host: config.host });
  logger.info(
    { address, githubApiUrl: config.githubApiUrl, dashboardUrl: config.dashboardUrl || undefined },
    'environment-sync is serving Metacontroller hooks',
  );
}

if (import.meta.url === `file://${process.argv[1]}`) {
  let config: Config;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`environment-sync: invalid configuration: ${error.message}`);
      process.exit(2);
    }
    throw error;
  }
  await start(config);
}
