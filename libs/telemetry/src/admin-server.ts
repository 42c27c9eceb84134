import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import type { Logger } from './logger.js';
import { evaluateReadiness, type ReadinessCheck } from './readiness.js';

export interface AdminServerOptions {
  /** Interface to bind; 127.0.0.1 by default, "0.0.0.0" inside a container. */
  readonly host?: string | undefined;
  /** 0 binds an ephemeral port (tests); read it back from `AdminServer.port`. */
  readonly port: number;
  readonly metrics: Registry;
  /** Called per `/readyz`; absent means always ready. */
  readonly readiness?: ReadinessCheck | undefined;
  readonly logger?: Logger | undefined;
}

export interface AdminServer {
  readonly port: number;
  /** Stops listening and drops open (keep-alive) connections. */
  close(): Promise<void>;
}

type Reply = { status: number; contentType: string; body: string; headers?: Record<string, string> };

const text = (status: number, body: string): Reply => ({ status, contentType: 'text/plain; charset=utf-8', body });

async function route(req: IncomingMessage, options: AdminServerOptions): Promise<Reply> {
  const path = new URL(req.url ?? '/', 'http://admin').pathname;
  const known = path === '/metrics' || path === '/livez' || path === '/readyz';
  if (!known) return text(404, 'not found\n');
  if (req.method !== 'GET') return { ...text(405, 'method not allowed\n'), headers: { allow: 'GET' } };
  switch (path) {
    case '/livez':
      // Liveness means "the event loop answers"; dependencies belong to readiness.
      return text(200, 'ok');
    case '/metrics':
      return { status: 200, contentType: options.metrics.contentType, body: await options.metrics.metrics() };
    case '/readyz': {
      const report = await evaluateReadiness(options.readiness);
      if (!report.ready) options.logger?.warn({ readiness: report }, 'not ready');
      return { status: report.ready ? 200 : 503, contentType: 'application/json', body: JSON.stringify(report) };
    }
  }
  return text(404, 'not found\n');
}

function send(res: ServerResponse, reply: Reply): void {
  res.writeHead(reply.status, { 'content-type': reply.contentType, ...reply.headers });
  res.end(reply.body);
}

/** The admin HTTP port of a service: `/metrics` (Prometheus text), `/livez`, `/readyz`. */
export async function startAdminServer(options: AdminServerOptions): Promise<AdminServer> {
  const server = createServer((req, res) => {
    route(req, options).then(
      (reply) => send(res, reply),
      (err: unknown) => {
        options.logger?.error({ err, path: req.url }, 'admin request failed');
        send(res, text(500, 'internal error\n'));
      },
    );
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;

  let closing: Promise<void> | undefined;
  return {
    port,
    close() {
      closing ??= new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        // server.close() alone waits for keep-alive connections (Prometheus keeps one open) to idle out.
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
