/** Jest runs the TypeScript sources directly (ts-jest, ESM); `npm run build` type-checks them. */
const common = {
  extensionsToTreatAsEsm: ['.ts'],
  testEnvironment: 'node',
  moduleNameMapper: {
    '^@hookmux/core$': '<rootDir>/core/src/index.ts',
    '^@hookmux/core/internal$': '<rootDir>/core/src/internal.ts',
    '^@hookmux/testing$': '<rootDir>/testing/src/index.ts',
    '^@hookmux/([a-z0-9-]+)$': '<rootDir>/plugins/$1/src/index.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: '<rootDir>/tsconfig.test.json' }],
  },
  rootDir: '.',
  setupFilesAfterEnv: ['<rootDir>/test/log-capture/capture-logs.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/lib/'],
};

export default {
  globalSetup: './test/log-capture/global-setup.js',
  globalTeardown: './test/log-capture/global-teardown.js',
  projects: [
    {
      ...common,
      displayName: 'unit',
      testMatch: [
        '<rootDir>/core/src/**/*.spec.ts',
        '<rootDir>/plugins/*/src/**/*.spec.ts',
        '<rootDir>/examples/*/src/**/*.spec.ts',
      ],
      testPathIgnorePatterns: [...common.testPathIgnorePatterns, '\\.int\\.spec\\.ts$'],
    },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/**/*.int.spec.ts', '<rootDir>/test/**/*.spec.ts'],
      testPathIgnorePatterns: [...common.testPathIgnorePatterns],
      // Integration tests boot real servers, render threads and robots: on a busy 2-core machine a
      // hook can outlast jest's 5 s default without anything being wrong.
      testTimeout: 20_000,
    },
  ],
};
