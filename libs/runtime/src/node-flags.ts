/**
 * The node flags every service process runs with: the launcher and the router's multi-process
 * test platform pass them, the Dockerfile's ENTRYPOINT spells them out (deploy-check holds the two
 * together) and the benchmarks run the services they host under them.
 *
 * --max-semi-space-size=64 (MiB): V8's semi-spaces, where new objects live until their first
 * scavenges, may grow to 64 MiB each instead of 16.
 * Ingestion allocates a batch's decoded messages and keeps them across the awaits of its database
 * write; with the default size, scavenges copy each batch that is still in flight and promote it
 * to the old generation, which a mark-compact must then clear (a CPU profile of monitoring's
 * ingestion: 16 % of the event loop in garbage collection, 11 % with 64 MiB). On
 * the 2-core machine the benchmarks run on, monitoring stored 22–24 k prediction events/s with the
 * default and 29–35 k/s with 64 MiB (128 MiB gave no more). The semi-spaces grow only while the
 * allocation rate asks for it: the registry's peak RSS in its benchmark rose from about 70 to
 * 72–92 MiB above idle.
 */
export const SERVICE_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=64'];
