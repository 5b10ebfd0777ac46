import type {AwsClientFactory} from '../aws/client-factory.js'
import type {EvidenceStore} from '../evidence/store.js'
import type {Clock} from './clock.js'
import type {Logger} from './logger.js'
import type {Progress} from './progress.js'

/**
 * Everything a core function needs from the outside world, passed in rather than reached for:
 * the clock, a logger, progress reporting, cancellation, AWS clients and the evidence store.
 * Commands build one; tests build one with a fixed clock and a moto endpoint.
 */
export interface Context {
  clock: Clock
  logger: Logger
  progress: Progress
  signal: AbortSignal
  aws: AwsClientFactory
  store: EvidenceStore
  /** Show secret values (environment variables) in output instead of redacting them. */
  showSecrets: boolean
}
