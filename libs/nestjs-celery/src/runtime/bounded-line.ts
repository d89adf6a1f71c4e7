/** Longest `x-celery-rejected-detail` header a dead-lettered message gets, in UTF-8 bytes. */
export const REJECTED_DETAIL_LIMIT = 1024;

/** Longest log line written about one refused message, in UTF-8 bytes. */
export const REFUSAL_LOG_LINE_LIMIT = 2048;

const CONTROL = /[\u0000-\u001f\u007f\u2028\u2029]/g;
const encoder = new TextEncoder();
const SHORT_ESCAPES: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function escapeControl(char: string): string {
  return SHORT_ESCAPES[char] ?? `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

/**
 * `text` as one line of at most `limit` UTF-8 bytes: control characters escaped (`\n`, `\u0000`),
 * and text past the limit cut (never inside a character) and marked with an ellipsis and the
 * original size. A bad value quoted in a rejection reason can be any size; what is logged and
 * sent along with the message must not be.
 */
export function boundedLine(text: string, limit: number): string {
  // Each character takes at least one byte: nothing past `limit` characters can be kept.
  const head = text.length > limit ? text.slice(0, limit) : text;
  const line = head.replace(CONTROL, escapeControl);
  if (head === text && line.length <= limit / 3) return line;
  const size = Buffer.byteLength(text, 'utf8');
  if (head === text && Buffer.byteLength(line, 'utf8') <= limit) return line;
  const suffix = `… [${size} bytes in all]`;
  const room = new Uint8Array(Math.max(0, limit - Buffer.byteLength(suffix, 'utf8')));
  const { read } = encoder.encodeInto(line, room);
  return line.slice(0, read) + suffix;
}
