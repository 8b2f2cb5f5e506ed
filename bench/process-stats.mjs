/**
 * Answers the benchmark's `stats` messages over IPC for a child process: CPU time since the
 * last reset, current and peak RSS, heap in use (after a GC when asked and --expose-gc is on).
 * With BENCH_HEAP_SNAPSHOT_DIR set, a GC request also writes a heap snapshot there.
 */
import { writeHeapSnapshot } from 'node:v8';

export function reportStatsOverIpc() {
  let cpuBase = process.cpuUsage();
  process.on('message', (message) => {
    if (message?.type !== 'stats') return;
    const cpu = process.cpuUsage(cpuBase);
    if (message.gc && typeof globalThis.gc === 'function') globalThis.gc();
    if (message.gc && process.env.BENCH_HEAP_SNAPSHOT_DIR) writeHeapSnapshot(`${process.env.BENCH_HEAP_SNAPSHOT_DIR}/service-${process.pid}.heapsnapshot`);
    const memory = process.memoryUsage();
    process.send({
      cpuMs: (cpu.user + cpu.system) / 1000,
      rssBytes: memory.rss,
      maxRssBytes: process.resourceUsage().maxRSS * 1024,
      heapUsedBytes: memory.heapUsed,
    });
    if (message.reset) cpuBase = process.cpuUsage();
  });
}
