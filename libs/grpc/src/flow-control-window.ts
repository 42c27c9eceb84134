/**
 * The HTTP/2 receive window the platform's servers and clients open, per stream and per
 * connection. HTTP/2's default 64 KiB makes a large streamed message flow (an artifact upload or
 * download, a push of many rows, a training-set export) wait for a WINDOW_UPDATE round trip every
 * 64 KiB. It costs memory only while data is in flight.
 */
export const DEFAULT_FLOW_CONTROL_WINDOW_BYTES = 8 * 1024 * 1024;
