import type { ControlRequest } from './control-message.js';

/** Python's `fnmatch` pattern (`*`, `?`, `[seq]`, `[!seq]`) as an anchored regular expression. */
export function globToRegExp(pattern: string): RegExp {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch === '*') source += '.*';
    else if (ch === '?') source += '.';
    else if (ch === '[') {
      const end = pattern.indexOf(']', i + 2);
      if (end === -1) {
        source += '\\[';
        continue;
      }
      let set = pattern.slice(i + 1, end).replace(/\\/g, '\\\\');
      if (set.startsWith('!')) set = '^' + set.slice(1);
      source += `[${set}]`;
      i = end;
    } else source += ch.replace(/[.+^${}()|\\/]/g, '\\$&');
  }
  return new RegExp(`^(?:${source})$`, 's');
}

function matches(hostname: string, pattern: string, matcher: string): boolean {
  try {
    if (matcher === 'glob') return globToRegExp(pattern).test(hostname);
    // kombu's pcre matcher is Python's re.match: anchored at the start only.
    if (matcher === 'pcre') return new RegExp(`^(?:${pattern})`).test(hostname);
  } catch {
    return false;
  }
  return false;
}

/**
 * kombu's `Node.handle_message` rule: a non-empty `destination` names the nodes; else `pattern`
 * with `matcher` (`glob` or `pcre`) selects them; else every node handles the request.
 */
export function isAddressedTo(request: Pick<ControlRequest, 'destination' | 'pattern' | 'matcher'>, hostname: string): boolean {
  if (request.destination && request.destination.length > 0) return request.destination.includes(hostname);
  if (request.pattern && request.matcher) return matches(hostname, request.pattern, request.matcher);
  return true;
}
