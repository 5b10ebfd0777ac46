import {ERROR_CATALOGUE, type ErrorCode, type UsageErrorCode} from './error-codes.js'
import {ExitCode, type ExitCodeValue} from './exit-codes.js'

export {EXIT_CODE_HELP, ExitCode, type ExitCodeValue} from './exit-codes.js'
export type {ErrorCode} from './error-codes.js'

export interface CoronerErrorOptions {
  /** One line telling the user what to do about it. */
  hint?: string
  cause?: unknown
}

/**
 * The one error type of coroner. `code` is a stable identifier from the catalogue
 * (core/error-codes.ts; tests and scripts may match on it), which also gives the exit code the
 * CLI ends with; `hint` tells the user what to do.
 */
export class CoronerError extends Error {
  readonly code: ErrorCode
  readonly hint: string | undefined
  readonly exitCode: ExitCodeValue

  constructor(code: ErrorCode, message: string, options: CoronerErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : {cause: options.cause})
    this.name = 'CoronerError'
    this.code = code
    this.hint = options.hint
    this.exitCode = ERROR_CATALOGUE[code].exit
  }
}

/**
 * What work stopped by the user (Ctrl-C, SIGTERM) ends with: the reason a command's AbortSignal is
 * aborted with, thrown by whatever was under way.
 */
export const interruption = (signal: NodeJS.Signals): CoronerError =>
  new CoronerError('interrupted', signal === 'SIGINT' ? 'Interrupted (Ctrl-C).' : `Stopped by ${signal}.`, {
    hint: 'What was already written to the evidence store is kept, and nothing half-built is left in its place: run the command again to finish.',
  })

/** Whether `error` is the user's interruption (interruption), which no caller reports as a failure of its own. */
export const isInterruption = (error: unknown): error is CoronerError => error instanceof CoronerError && error.code === 'interrupted'

export const usageError = (code: UsageErrorCode, message: string, hint?: string): CoronerError =>
  new CoronerError(code, message, hint === undefined ? {} : {hint})

/** Error names the AWS SDK uses for credential and permission failures. */
const AWS_ACCESS_ERRORS = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'UnauthorizedOperation',
  'UnrecognizedClientException',
  'InvalidClientTokenId',
  'ExpiredToken',
  'ExpiredTokenException',
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'CredentialsProviderError',
  'AuthFailure',
])

export function isAwsAccessError(error: unknown): boolean {
  const name = (error as {name?: unknown} | null)?.name
  return typeof name === 'string' && AWS_ACCESS_ERRORS.has(name)
}

export function isThrottlingError(error: unknown): boolean {
  const name = (error as {name?: unknown} | null)?.name
  return typeof name === 'string' && /Throttl|TooManyRequests|RequestLimitExceeded|SlowDown/.test(name)
}

/**
 * AWS's "there is none" answers: ResourceNotFoundException, NoSuchEntity, NotFound, NoSuchKey,
 * NoSuchVersion, or an HTTP 404 the SDK could not name (but not an endpoint's 404 for an
 * operation it does not know, which the SDK reports as a SyntaxError). The one isNotFound.
 */
export function isNotFound(error: unknown): boolean {
  const e = error as {name?: unknown; $metadata?: {httpStatusCode?: number}} | null
  const name = typeof e?.name === 'string' ? e.name : ''
  return /ResourceNotFound|NoSuchEntity|NotFound|NoSuchKey|NoSuchVersion/.test(name) || (e?.$metadata?.httpStatusCode === 404 && name !== 'SyntaxError')
}

/** Socket and DNS failures: the AWS endpoint could not be reached at all. */
const NETWORK_ERRORS = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE'])

export function isNetworkError(error: unknown): boolean {
  const e = error as {code?: unknown; name?: unknown; cause?: unknown} | null
  if (typeof e?.code === 'string' && NETWORK_ERRORS.has(e.code)) return true
  if (e?.name === 'TimeoutError') return true
  return e?.cause !== undefined && e.cause !== error && isNetworkError(e.cause)
}

/** Filesystem errors a responder can act on, their codes and hints. */
const FS_CODES = {ENOSPC: 'fs-enospc', EACCES: 'fs-eacces', EROFS: 'fs-erofs', ENOENT: 'fs-enoent'} as const

const FS_HINTS: Record<string, string> = {
  ENOSPC: 'The disk is full. Free space or point --store at another volume; evidence written so far is intact.',
  EACCES: 'Permission denied. Check the owner and mode of the path.',
  EROFS: 'The file system is read-only. Point --store at a writable location.',
  ENOENT: 'The path does not exist. Check the spelling.',
}

/**
 * Turns anything thrown into a CoronerError so that the CLI has one shape to render.
 * AWS access errors and an unreachable AWS exit 5; filesystem errors get a hint; everything else is internal.
 */
export function toCoronerError(error: unknown): CoronerError {
  if (error instanceof CoronerError) return error
  if (isAwsAccessError(error)) {
    const e = error as Error
    return new CoronerError('aws-access', `AWS refused the request: ${e.name}: ${e.message}`, {
      hint: 'Check the credentials (--profile, AWS_PROFILE) and that the role grants the permissions `coroner permissions` lists.',
      cause: error,
    })
  }
  if (isNetworkError(error)) {
    const e = error as Error
    return new CoronerError('aws-unreachable', `Could not reach AWS: ${e.message}`, {
      hint: 'Check the network (and HTTPS_PROXY), --region, and --endpoint-url if one is given.',
      cause: error,
    })
  }
  const errno = (error as NodeJS.ErrnoException | null)?.code
  if (typeof errno === 'string' && errno in FS_HINTS) {
    const e = error as NodeJS.ErrnoException
    // A full disk cuts a collection short (exit 6): what was written stands, the rest is missing.
    return new CoronerError(FS_CODES[errno as keyof typeof FS_CODES], e.message, {
      ...(FS_HINTS[errno] === undefined ? {} : {hint: FS_HINTS[errno]}),
      cause: error,
    })
  }
  const message = error instanceof Error ? error.message : String(error)
  return new CoronerError('internal', message, {cause: error})
}
