// Child entry of the bare chain (index.ts): one hop, a bare grpc-js server that answers every
// call with <reply bytes> of fixed bytes, after calling each upstream in turn with its
// <request bytes> when it has upstreams (a pass-through) and at once when it has none (an echo).
// Usage: hop.ts <reply bytes> [<address>:<request bytes>…]. It reports its address to the parent
// over IPC and exits when the parent goes away.
import { bareClient, serveBare } from '../benchmarks/bare-echo.js';

const [replyBytes, ...upstreamSpecs] = process.argv.slice(2);
const reply = Buffer.alloc(Number(replyBytes), 7);
const upstreams = upstreamSpecs.map((spec) => {
  const at = spec.lastIndexOf(':');
  return { client: bareClient(spec.slice(0, at)), request: Buffer.alloc(Number(spec.slice(at + 1)), 3) };
});

const server = await serveBare(
  upstreams.length === 0
    ? () => reply
    : async () => {
        for (const upstream of upstreams) await upstream.client.call(upstream.request);
        return reply;
      },
);
process.send?.({ address: server.address });
process.once('disconnect', () => {
  for (const upstream of upstreams) upstream.client.close();
  void server.close().then(() => process.exit(0));
});
