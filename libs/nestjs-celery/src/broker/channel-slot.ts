import type { Channel } from 'amqplib';

/**
 * One shared channel of a connection (the publish channel, the reply channel), opened on first
 * use. Besides the promise every caller can wait on, it keeps the channel itself once open, so
 * the per-message paths can publish synchronously without awaiting anything.
 */
export class ChannelSlot<C extends Channel> {
  private pending?: Promise<C>;
  private channel?: C;

  /**
   * @param open opens the channel; it calls `forget(opened)` once that channel closes or fails to open
   */
  constructor(private readonly open: (forget: (opened: Promise<C>) => void) => Promise<C>) {}

  /** The open channel, or undefined while there is none (not opened yet, opening, or closed). */
  get ready(): C | undefined {
    return this.channel;
  }

  /** The channel, opened now if there is none. */
  get(): Promise<C> {
    if (!this.pending) {
      const created = this.open((opened) => {
        if (this.pending === opened) this.clear();
      });
      this.pending = created;
      void created.then(
        (channel) => {
          if (this.pending === created) this.channel = channel;
        },
        () => undefined,
      );
    }
    return this.pending;
  }

  /** Forgets the channel (the connection is gone); the next {@link get} opens a new one. */
  clear(): void {
    this.pending = undefined;
    this.channel = undefined;
  }
}
