import { connect, createServer, type Server, type Socket } from 'node:net';

/** A TCP proxy in front of PostgreSQL that a test can cut, to stage a database outage. */
export interface DatabaseProxy {
  /** `url` with host and port replaced by the proxy's. */
  readonly url: string;
  /**
   * Drops every connection through the proxy and refuses new ones, as a stopped or restarting
   * PostgreSQL does to its clients (their sockets reset, reconnects refused).
   */
  cut(): Promise<void>;
  /** Accepts connections again, on the same port (PostgreSQL is back). */
  restore(): Promise<void>;
  /** Cuts and stops for good. Idempotent. */
  close(): Promise<void>;
}

const listen = (server: Server, port: number): Promise<number> =>
  new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      const address = server.address();
      resolve(typeof address === 'object' && address !== null ? address.port : port);
    });
  });

/** Starts a proxy on a free 127.0.0.1 port that forwards to the host and port of `url`. */
export async function startDatabaseProxy(url: string): Promise<DatabaseProxy> {
  const target = new URL(url);
  const upstreamHost = target.hostname || '127.0.0.1';
  const upstreamPort = Number(target.port || 5432);
  const sockets = new Set<Socket>();
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  };
  const server = createServer((client) => {
    const upstream = connect(upstreamPort, upstreamHost);
    track(client);
    track(upstream);
    // Either side failing or closing takes the other down: PostgreSQL sessions do not outlive their socket.
    const teardown = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', teardown).on('close', teardown);
    upstream.on('error', teardown).on('close', teardown);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  const port = await listen(server, 0);
  let listening = true;
  let closed = false;

  const cut = async () => {
    if (listening) {
      listening = false;
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      // resetAndDestroy sends an RST, as the connections of a killed server end.
      for (const socket of sockets) socket.resetAndDestroy();
      await stopped;
    }
  };
  const proxied = new URL(url);
  proxied.hostname = '127.0.0.1';
  proxied.port = String(port);
  return {
    url: proxied.toString(),
    cut,
    async restore() {
      if (closed) throw new Error('the database proxy is closed');
      if (!listening) {
        await listen(server, port);
        listening = true;
      }
    },
    async close() {
      closed = true;
      await cut();
    },
  };
}
