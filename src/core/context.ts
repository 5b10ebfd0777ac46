import type {Clock} from './clock.js'
import type {Logger} from './logger.js'
import type {Progress} from './progress.js'

/**
 * What every core function needs from the outside world, passed in rather than reached for: the
 * clock, a logger, progress reporting and cancellation. Layers above add what they own: the
 * evidence store and run (evidence/context.ts), AWS clients (collectors/context.ts).
 */
export interface BaseContext {
  clock: Clock
  logger: Logger
  progress: Progress
  signal: AbortSignal
  /** Show secret values (environment variables) in output instead of redacting them. */
  showSecrets: boolean
}
