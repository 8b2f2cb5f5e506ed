/**
 * The metrics listener (METRICS_PORT): GET /metrics and nothing else, so whoever may scrape
 * (namespace `monitoring`) can never reach a hook, and the hook port serves no metrics.
 */
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Metrics } from './metrics.js';
import { errorBody } from './hooks/errors.js';

export function buildMetricsApp(metrics: Metrics, logger: Logger): FastifyInstance {
  const loggerInstance: FastifyBaseLogger = logger;
  const app = Fastify({ loggerInstance, logController: new LogController({ disableRequestLogging: true }), return503OnClosing: true });
  app.get('/metrics', async (_request, reply) => {
    const { contentType, body } = await metrics.render();
    return reply.type(contentType).send(body);
  });
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0];
    if (path === '/metrics')
      return reply
        .code(405)
        .header('allow', 'GET, HEAD')
        .send(errorBody('MethodNotAllowed', `${request.method} /metrics: only GET is served here`));
    return reply.code(404).send(errorBody('NotFound', `No route ${request.method} ${path}; this port serves GET /metrics only`));
  });
  return app;
}
