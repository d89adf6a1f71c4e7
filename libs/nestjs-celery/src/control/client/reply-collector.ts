import type { ControlReply } from '../control-message.js';

/**
 * Collects the replies of one broadcast, like kombu's `Mailbox._collect`: it ends after `limit`
 * replies, or when no reply arrived for `timeoutMs` (each reply restarts the wait, as each
 * `drain_events(timeout)` does in kombu).
 */
export class ReplyCollector {
  readonly replies: ControlReply[] = [];
  readonly done: Promise<ControlReply[]>;
  private finish!: (replies: ControlReply[]) => void;
  private timer?: NodeJS.Timeout;
  private finished = false;

  constructor(
    private readonly timeoutMs: number,
    private readonly limit: number | null,
    private readonly onReply?: (reply: ControlReply) => void,
  ) {
    this.done = new Promise((resolve) => (this.finish = resolve));
    this.arm();
  }

  /** Adds a reply of this broadcast; returns false once the collection has ended. */
  add(reply: ControlReply): boolean {
    if (this.finished) return false;
    this.replies.push(reply);
    this.onReply?.(reply);
    if (this.limit !== null && this.replies.length >= this.limit) this.end();
    else this.arm();
    return true;
  }

  /** Ends the collection now (e.g. the client closes). */
  end(): void {
    if (this.finished) return;
    this.finished = true;
    clearTimeout(this.timer);
    this.finish(this.replies);
  }

  private arm(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.end(), this.timeoutMs);
  }
}
