import { connect, type ClientHttp2Session } from 'node:http2';
import { afterEach, expect, it, vi } from 'vitest';
import { DEFAULT_FLOW_CONTROL_WINDOW_BYTES } from './flow-control-window.js';
import { createGrpcServer, type GrpcServer } from './server.js';

let server: GrpcServer | undefined;
let session: ClientHttp2Session | undefined;
afterEach(async () => {
  session?.destroy();
  await server?.shutdown(0);
});

async function connectRaw(options: { flowControlWindowBytes?: number }): Promise<ClientHttp2Session> {
  server = createGrpcServer({ service: 'flow-control-test', ...options });
  const port = await server.listen('127.0.0.1:0');
  const opened = connect(`http://127.0.0.1:${port}`);
  session = opened;
  await new Promise<void>((resolve, reject) => {
    opened.once('remoteSettings', () => resolve());
    opened.once('error', reject);
  });
  return opened;
}

it('advertises the large receive window per stream and per connection', async () => {
  const client = await connectRaw({});
  expect(client.remoteSettings.initialWindowSize).toBe(DEFAULT_FLOW_CONTROL_WINDOW_BYTES);
  // The connection window arrives as a WINDOW_UPDATE right after the settings.
  await vi.waitFor(() => expect(client.state.remoteWindowSize).toBe(DEFAULT_FLOW_CONTROL_WINDOW_BYTES));
});

it('takes a configured window', async () => {
  const client = await connectRaw({ flowControlWindowBytes: 1024 * 1024 });
  expect(client.remoteSettings.initialWindowSize).toBe(1024 * 1024);
  await vi.waitFor(() => expect(client.state.remoteWindowSize).toBe(1024 * 1024));
});
