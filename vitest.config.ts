import {defineConfig} from 'vitest/config'

export default defineConfig({
  test: {
    globalSetup: ['./test/support/moto-global-setup.ts'],
    // As bin/run.js does: the SDK's Node 22 notice would otherwise print once per test process.
    env: {AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true'},
    testTimeout: 60_000,
    // @oclif/test captures process.stdout itself; vitest's interception would swallow it first.
    disableConsoleIntercept: true,
    hookTimeout: 60_000,
    reporters: ['default', 'json'],
    outputFile: {json: '.vitest-report.json'},
    projects: [
      {extends: true, test: {name: 'unit', include: ['test/unit/**/*.test.ts']}},
      // One moto_server serves the run and is reset between tests, so integration files run one at a time.
      {extends: true, test: {name: 'integration', include: ['test/integration/**/*.test.ts'], fileParallelism: false}},
    ],
  },
})
