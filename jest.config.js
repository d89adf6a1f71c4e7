/** Two tiers: pure unit specs beside the sources, e2e specs in test/ against real RabbitMQ and Celery. */
const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2022',
      keepClassNames: true,
    },
    module: { type: 'es6' },
  },
];
const common = {
  extensionsToTreatAsEsm: ['.ts'],
  transform: { '^.+\\.ts$': swc },
  moduleNameMapper: {
    '^nestjs-celery$': '<rootDir>/libs/nestjs-celery/src/index.ts',
    '^@app/contracts$': '<rootDir>/libs/contracts/src/index.ts',
    '^nestjs-celery/testing$': '<rootDir>/libs/nestjs-celery/src/testing/index.ts',
    '^nestjs-celery/(health|metrics|monitor)$': '<rootDir>/libs/nestjs-celery/src/$1/index.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  testEnvironment: 'node',
  // the packaging fixtures are apps of their own (test/package-install.e2e-spec.ts), the build output is not source
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/fixtures/', '<rootDir>/libs/nestjs-celery/dist/'],
  modulePathIgnorePatterns: ['<rootDir>/test/fixtures/', '<rootDir>/libs/nestjs-celery/dist/'],
};
/** The e2e suites that talk to Python Celery and run against both 5.2.6 (`e2e`) and 5.5.2 (`e2e-celery55`). */
const CELERY55_SUITES = [
  'celery-version',
  'python-to-nest',
  'nest-to-python',
  'values-interop',
  'control',
  'celery-events',
  'events-python',
  'routing-bindings',
  'routing-convention',
  'routing-routers',
  'autoretry',
  'redis-results',
  'chords',
  'chords-redis-broker',
  'redis-interop',
  'redis-control-events',
];
export default {
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/libs/**/*.spec.ts', '<rootDir>/apps/**/*.spec.ts'] },
    {
      ...common,
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'],
      // Jest ignores a project's `testTimeout`: the setup file sets the 60 s default instead.
      setupFilesAfterEnv: ['<rootDir>/test/support/e2e-timeout.ts'],
    },
    {
      // The interop suites again, with the Python side on Celery 5.5.2 (test/support/celery-version.ts).
      ...common,
      displayName: 'e2e-celery55',
      testMatch: CELERY55_SUITES.map((name) => `<rootDir>/test/${name}.e2e-spec.ts`),
      setupFiles: ['<rootDir>/test/support/celery55.setup.ts'],
      setupFilesAfterEnv: ['<rootDir>/test/support/e2e-timeout.ts'],
    },
  ],
};
