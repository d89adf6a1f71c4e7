import { runInContext, createContext } from 'node:vm';
import { globToRegExp } from '../../routing/glob-pattern.js';
import type { ControlRequest } from '../control-message.js';

/**
 * Longest `pattern` a worker evaluates: node names are `name@host` (a host name is at most 253
 * characters), so a longer pattern addresses nobody and is not compiled at all.
 */
export const MAX_NODE_PATTERN_LENGTH = 1024;

/**
 * Time one `pcre` pattern may run against the node name. A remote regular expression can
 * backtrack for minutes (Python's `re` would too); `vm`'s timeout interrupts it instead of the
 * event loop, and a pattern that times out addresses nobody.
 */
export const PCRE_MATCH_TIMEOUT_MS = 50;

/** One context for every `pcre` match: the pattern and name go in as data, never as code. */
const pcreContext = createContext(Object.create(null) as Record<string, unknown>);
const PCRE_TEST = 'new RegExp(pattern).test(hostname)';

/** kombu's pcre matcher is Python's `re.match`: anchored at the start only. */
function pcreMatches(hostname: string, pattern: string): boolean {
  pcreContext.pattern = `^(?:${pattern})`;
  pcreContext.hostname = hostname;
  return runInContext(PCRE_TEST, pcreContext, { timeout: PCRE_MATCH_TIMEOUT_MS }) === true;
}

function matches(hostname: string, pattern: string, matcher: string): boolean {
  if (pattern.length > MAX_NODE_PATTERN_LENGTH) return false;
  try {
    // Python's fnmatch semantics, in time polynomial in the name and pattern whatever the stars.
    if (matcher === 'glob') return globToRegExp(pattern).test(hostname);
    if (matcher === 'pcre') return pcreMatches(hostname, pattern);
  } catch {
    // an invalid pattern, or a pcre match that ran out of time, addresses nobody
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
