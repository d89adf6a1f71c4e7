import type { QueuedMessage } from './queued-message.js';

/** True when `a` is delivered before `b`: higher priority first, then queue order. */
function before(a: QueuedMessage, b: QueuedMessage): boolean {
  return a.priority !== b.priority ? a.priority > b.priority : a.seq < b.seq;
}

const COMPACT_AFTER = 1024;

/**
 * The ready messages of a queue in delivery order. Appending in order and taking from the head
 * are O(1); a requeued message goes back to its original place (binary search).
 */
export class ReadyList {
  private items: (QueuedMessage | undefined)[] = [];
  private head = 0;

  /** Number of ready messages. */
  get length(): number {
    return this.items.length - this.head;
  }

  /** Adds a message at its place in delivery order. */
  add(message: QueuedMessage): void {
    const { items } = this;
    const last = items[items.length - 1];
    if (this.length === 0 || before(last!, message)) {
      items.push(message);
      return;
    }
    let low = this.head;
    let high = items.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (before(items[middle]!, message)) low = middle + 1;
      else high = middle;
    }
    if (low === this.head && this.head > 0) items[--this.head] = message;
    else items.splice(low, 0, message);
  }

  /** Removes and returns the next message to deliver. */
  shift(): QueuedMessage | undefined {
    if (this.head >= this.items.length) return undefined;
    const message = this.items[this.head];
    this.items[this.head++] = undefined;
    if (this.head === this.items.length) {
      this.items = [];
      this.head = 0;
    } else if (this.head > COMPACT_AFTER && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return message;
  }

  /** Removes and returns the messages matching `predicate`, in delivery order. */
  removeWhere(predicate: (message: QueuedMessage) => boolean): QueuedMessage[] {
    const removed: QueuedMessage[] = [];
    const kept: QueuedMessage[] = [];
    for (let i = this.head; i < this.items.length; i++) {
      const message = this.items[i]!;
      (predicate(message) ? removed : kept).push(message);
    }
    if (removed.length > 0) {
      this.items = kept;
      this.head = 0;
    }
    return removed;
  }

  /** The messages in delivery order (a copy). */
  toArray(): QueuedMessage[] {
    return this.items.slice(this.head) as QueuedMessage[];
  }
}
