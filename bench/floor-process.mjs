/**
 * Child-process entry of the benchmark's baseline: the same HTTP stack as the service
 * (Node's http server and fastify) doing no work at all. It takes the request body without
 * parsing it and answers every POST /sync with fixed bytes (BENCH_FLOOR_ANSWER, base64: what
 * the service answers to the request being measured). Latency measured against it is what
 * HTTP on this machine costs before any hook runs.
 */
import Fastify from 'fastify';
import { reportStatsOverIpc } from './process-stats.mjs';

const answer = Buffer.from(process.env.BENCH_FLOOR_ANSWER ?? '', 'base64');
const app = Fastify({ bodyLimit: 4 * 1024 * 1024 });
app.removeContentTypeParser('application/json');
app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
app.post('/sync', async (_request, reply) => reply.type('application/json; charset=utf-8').send(answer));
await app.listen({ port: 0, host: '127.0.0.1' });
const address = app.server.address();
reportStatsOverIpc();
process.once('SIGTERM', () => {
  void app.close().then(() => process.exit(0));
});
process.send({ url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}` });
