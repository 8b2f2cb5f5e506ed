/**
 * One URL in front of the service for Metacontroller's webhooks, as a Kubernetes Service is in a
 * cluster: it records every call (what Metacontroller sent and what it got back), forwards to
 * whichever service instance is current (a restarted service listens on a new port), answers
 * 502 while none is, and can hold an answer back while the test acts (a kill mid-flight).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';

export interface HookCall {
  path: string;
  body: any;
  /** What the caller got: the service's status, or 502 when no instance answered. */
  status: number;
}

/** `namespace/name` of the Environment a call is about. */
export function parentOf(call: HookCall): string {
  return `${call.body.parent.metadata.namespace}/${call.body.parent.metadata.name}`;
}

export class HookProxy {
  readonly calls: HookCall[] = [];
  /** Base URL of the service instance to forward to; undefined while it is down. */
  upstream: string | undefined;
  /** Calls forwarded to the upstream and not yet answered by it. */
  forwarding = 0;
  /**
   * Called with each answered call before the answer goes back; the answer waits for it. The
   * test removes it once it has done its deed.
   */
  beforeAnswer: ((call: HookCall) => Promise<void>) | undefined;
  private readonly server = http.createServer((req, res) => void this.handle(req, res));

  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const path = req.url ?? '';
    let status = 502;
    let answer = '{"error":"BadGateway","message":"no service instance is up","details":[]}';
    if (this.upstream) {
      this.forwarding++;
      try {
        const response = await request(`${this.upstream}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: text });
        answer = await response.body.text();
        status = response.statusCode;
      } catch {
        // connection refused: the instance went away; the caller sees 502 and retries
      } finally {
        this.forwarding--;
      }
    }
    const call = { path, body: JSON.parse(text), status };
    this.calls.push(call);
    if (status === 200 && this.beforeAnswer) await this.beforeAnswer(call);
    if (res.destroyed) return;
    res.writeHead(status, { 'content-type': 'application/json' }).end(answer);
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
