import {AwsClientFactory} from '../../src/aws/client-factory.js'
import {fixedClock, type Clock} from '../../src/core/clock.js'
import type {Context} from '../../src/core/context.js'
import {memoryLogger} from '../../src/core/logger.js'
import {quietProgress} from '../../src/core/progress.js'
import type {EvidenceStore} from '../../src/evidence/store.js'

/** A Context for tests: a stepping fixed clock, a memory logger, no progress drawing. */
export function testContext(store: EvidenceStore, overrides: Partial<Context> = {}): Context & {logger: ReturnType<typeof memoryLogger>} {
  const clock: Clock = fixedClock('2026-11-20T10:00:00Z', 1000)
  return {
    clock,
    logger: memoryLogger(),
    progress: quietProgress,
    signal: new AbortController().signal,
    aws: new AwsClientFactory({region: 'us-east-1', maxAttempts: 1}),
    store,
    showSecrets: false,
    ...overrides,
  } as Context & {logger: ReturnType<typeof memoryLogger>}
}
