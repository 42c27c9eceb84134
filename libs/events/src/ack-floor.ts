/**
 * The acknowledgement floor of a consumer whose acks are cumulative (JetStream AckPolicy.All:
 * acking stream sequence N acknowledges every pending message up to N, whoever holds it).
 * Such an ack is only safe once every sequence up to N is settled (stored or dead-lettered), so
 * the tracker holds settled messages until they join a contiguous run starting just above the
 * floor, and names the one message whose ack covers that run. A gap means another replica (or a
 * redelivery) still holds that sequence: nothing past it is acknowledged until it is settled.
 * This needs every stream sequence above the floor to be delivered to this consumer, i.e. a
 * consumer whose filters cover its whole stream.
 */
export class AckFloor<M> {
  private readonly settled = new Map<number, M>();

  constructor(private current: number) {}

  /** Highest stream sequence known to be acknowledged. */
  get floor(): number {
    return this.current;
  }

  /** Settled messages waiting for a gap below them to close. */
  get waiting(): number {
    return this.settled.size;
  }

  /** True when `seq` is at or below the floor: it is settled already (a redelivery after a lost ack). */
  covers(seq: number): boolean {
    return seq <= this.current;
  }

  settle(seq: number, message: M): void {
    if (seq > this.current) this.settled.set(seq, message);
  }

  /**
   * Moves the floor over the contiguous settled run above it and returns the message to ack
   * (the run's last), or undefined when the sequence just above the floor is not settled.
   */
  advance(): M | undefined {
    let top = this.current;
    while (this.settled.has(top + 1)) top++;
    if (top === this.current) return undefined;
    const last = this.settled.get(top);
    for (let seq = this.current + 1; seq <= top; seq++) this.settled.delete(seq);
    this.current = top;
    return last;
  }

  /** Adopts the server's floor when another holder acknowledged past ours; drops what it covers. */
  raise(serverFloor: number): void {
    if (serverFloor <= this.current) return;
    this.current = serverFloor;
    for (const seq of this.settled.keys()) if (seq <= serverFloor) this.settled.delete(seq);
  }

  /** After a reconnect the server's floor is the truth, even below ours (an ack may have been lost). */
  reset(serverFloor: number): void {
    this.current = serverFloor;
    for (const seq of this.settled.keys()) if (seq <= serverFloor) this.settled.delete(seq);
  }
}
