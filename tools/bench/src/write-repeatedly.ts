/** A writable end of a grpc-js stream: a client-streaming call or a server-streaming one. */
interface MessageSink {
  write(message: Buffer): boolean;
  once(event: 'drain', listener: () => void): unknown;
  end(): void;
}

/** Writes the same message `count` times, waiting for 'drain' whenever the stream's buffer is full, then ends the stream. */
export function writeRepeatedly(sink: MessageSink, message: Buffer, count: number): void {
  let sent = 0;
  const pump = (): void => {
    while (sent < count) {
      sent++;
      if (!sink.write(message)) {
        sink.once('drain', pump);
        return;
      }
    }
    sink.end();
  };
  pump();
}
