import { connect, createServer, type Socket } from 'node:net';

/** A TCP proxy in front of PostgreSQL that a test can cut, to stage a database outage. */
export interface DatabaseProxy {
  /** `url` with host and port replaced by the proxy's. */
  readonly url: string;
  /**
   * Drops every connection through the proxy and resets new ones as they arrive, as a stopped or
   * restarting PostgreSQL does to its clients. (The port stays bound, so no other socket can take
   * it before `restore`.)
   */
  cut(): Promise<void>;
  /** Forwards connections again (PostgreSQL is back). */
  restore(): Promise<void>;
  /** Cuts and stops listening for good. Idempotent. */
  close(): Promise<void>;
}

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
  let cutOff = false;
  const server = createServer((client) => {
    client.on('error', () => undefined);
    if (cutOff) {
      // resetAndDestroy sends an RST, as the connections of a killed server end.
      client.resetAndDestroy();
      return;
    }
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
  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (typeof address === 'object' && address !== null) resolve(address.port);
      else reject(new Error('the database proxy has no port'));
    });
  });

  const cut = async () => {
    cutOff = true;
    for (const socket of sockets) socket.resetAndDestroy();
  };
  const proxied = new URL(url);
  proxied.hostname = '127.0.0.1';
  proxied.port = String(port);
  let closing: Promise<void> | undefined;
  return {
    url: proxied.toString(),
    cut,
    async restore() {
      if (closing) throw new Error('the database proxy is closed');
      cutOff = false;
    },
    close() {
      closing ??= cut().then(() => new Promise<void>((resolve) => server.close(() => resolve())));
      return closing;
    },
  };
}
