import {AwsClientFactory} from '../../src/aws/client-factory.js'
import {fixedClock, type Clock} from '../../src/core/clock.js'
import type {BaseContext} from '../../src/core/context.js'
import type {AwsEnv} from '../../src/collectors/context.js'

type Context = BaseContext & AwsEnv
import {memoryLogger} from '../../src/core/logger.js'
import {quietProgress} from '../../src/core/progress.js'
import type {EvidenceStore} from '../../src/evidence/store.js'
import {readManifest} from '../../src/evidence/cases.js'
import {runStep, type RunnerEnv, type SealedRun} from '../../src/steps/runner.js'
import type {AnyStep, InputOf, ResultOf} from '../../src/steps/step.js'

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

/**
 * Runs a recording step as a command does, in a new run of the case: the sealed run, what the
 * step returned (`collected`) and the artifact records of its manifest.
 */
export async function collectIn<S extends AnyStep>(ctx: Omit<RunnerEnv, 'caseId'>, caseId: string, step: S, params: InputOf<S>) {
  const {result, run} = (await runStep({...ctx, caseId}, step, params)) as {result: ResultOf<S>; run: SealedRun}
  const manifest = await readManifest(ctx.store, run.manifestKey)
  return {...run, artifacts: manifest.artifacts, collected: result}
}
