// Child entry of the bare chain (index.ts): one process of the chain, a bare grpc-js server that
// either answers with fixed bytes (`echo <reply bytes>`) or, per call, calls its upstreams one
// after the other with fixed bytes and then answers (`proxy <reply bytes> <address:request bytes>…`).
// It reports its address to the parent over IPC and exits when the parent goes away.
import { bareClient, serveBare } from '../benchmarks/bare-echo.js';

const [mode, replyBytes, ...upstreamSpecs] = process.argv.slice(2);
const reply = Buffer.alloc(Number(replyBytes), 7);
const upstreams = upstreamSpecs.map((spec) => {
  const at = spec.lastIndexOf(':');
  return { client: bareClient(spec.slice(0, at)), request: Buffer.alloc(Number(spec.slice(at + 1)), 3) };
});

if (mode !== 'echo' && mode !== 'proxy') throw new Error(`hop.ts: mode echo or proxy, got ${mode}`);
const server = await serveBare(async () => {
  for (const upstream of upstreams) await upstream.client.call(upstream.request);
  return reply;
});
process.send?.({ address: server.address });
process.once('disconnect', () => {
  for (const upstream of upstreams) upstream.client.close();
  void server.close().then(() => process.exit(0));
});
