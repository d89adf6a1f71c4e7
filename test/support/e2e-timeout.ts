/**
 * The e2e tier's default timeout for tests and hooks. Jest reads `testTimeout` from the global
 * config only (a project's own `testTimeout` is ignored), so without this every e2e test and hook
 * that names no timeout had 5 s: too short for a broker restart or a Python process on a loaded machine.
 */
import { jest } from '@jest/globals';

jest.setTimeout(60_000);
