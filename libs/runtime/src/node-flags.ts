/**
 * The node flags every service process runs with: the launcher passes them, the Dockerfile's
 * ENTRYPOINT spells them out (deploy-check holds the two together) and the benchmarks run the
 * services they host under them.
 *
 * --max-semi-space-size=64 (MiB): V8's young generation grows up to 2 × 64 MiB instead of 2 × 16.
 * Ingestion allocates a batch's decoded messages and keeps them across the awaits of its database
 * write; with the default size, scavenges come every few milliseconds, copy each batch that is
 * still in flight and promote it to the old generation, which a mark-compact must then clear. On
 * the 2-core machine the benchmarks run on, monitoring stored 22–24 k prediction events/s with the
 * default and 29–35 k/s with 64 MiB (128 MiB gave no more); the space is only taken while
 * the allocation rate asks for it.
 */
export const SERVICE_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=64'];
