/**
 * Rolling restarts without a failed hook call. On SIGTERM the endpoints controller only
 * learns from a failing readiness probe that the Pod is going, and Metacontroller's Go client
 * keeps using its open keep-alive connections (kube-proxy keeps routing them here) and does
 * not retry a POST that meets a closed connection. So for a drain period the service keeps
 * answering, /readyz fails, and every answer closes its connection: the client's next call
 * opens a new connection, which reaches a ready replica. Then the listeners close; requests
 * still in flight finish first.
 */
export class Shutdown {
  private isDraining = false;

  get draining(): boolean {
    return this.isDraining;
  }

  /** Drains until `until` settles, then `close()`s the listeners. */
  async drain(until: Promise<unknown>, close: () => Promise<unknown>): Promise<void> {
    this.isDraining = true;
    await until;
    await close();
  }
}
