/**
 * Exit codes, one meaning each; documented in every command's help.
 */
export const ExitCode = {
  ok: 0,
  internal: 1,
  usage: 2,
  findings: 3,
  invalidInput: 4,
  awsAccess: 5,
  partial: 6,
} as const

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode]

export const EXIT_CODE_HELP: ReadonlyArray<readonly [ExitCodeValue, string]> = [
  [ExitCode.ok, 'success'],
  [ExitCode.internal, 'internal error (a bug: please report it)'],
  [ExitCode.usage, 'usage error: a flag, argument or path is wrong'],
  [ExitCode.findings, 'findings present (a query, hunt or verify found something)'],
  [ExitCode.invalidInput, 'invalid playbook, query or rule'],
  [ExitCode.awsAccess, 'AWS credentials or permissions, or AWS unreachable'],
  [ExitCode.partial, 'partial collection: some evidence could not be gathered (see the custody journal)'],
]

export interface CoronerErrorOptions {
  /** One line telling the user what to do about it. */
  hint?: string
  exitCode?: ExitCodeValue
  cause?: unknown
}

/**
 * The one error type of coroner's core. `code` is a stable identifier (tests and scripts may match
 * on it); `hint` tells the user what to do; `exitCode` is what the CLI exits with.
 */
export class CoronerError extends Error {
  readonly code: string
  readonly hint: string | undefined
  readonly exitCode: ExitCodeValue

  constructor(code: string, message: string, options: CoronerErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : {cause: options.cause})
    this.name = 'CoronerError'
    this.code = code
    this.hint = options.hint
    this.exitCode = options.exitCode ?? ExitCode.internal
  }
}

export const usageError = (code: string, message: string, hint?: string): CoronerError =>
  new CoronerError(code, message, {exitCode: ExitCode.usage, ...(hint === undefined ? {} : {hint})})

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

/** Filesystem errors a responder can act on, mapped to hints. */
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
      exitCode: ExitCode.awsAccess,
      hint: 'Check the credentials (--profile, AWS_PROFILE) and that the role grants the permissions `coroner permissions` lists.',
      cause: error,
    })
  }
  if (isNetworkError(error)) {
    const e = error as Error
    return new CoronerError('aws-unreachable', `Could not reach AWS: ${e.message}`, {
      exitCode: ExitCode.awsAccess,
      hint: 'Check the network (and HTTPS_PROXY), --region, and --endpoint-url if one is given.',
      cause: error,
    })
  }
  const errno = (error as NodeJS.ErrnoException | null)?.code
  if (typeof errno === 'string' && errno in FS_HINTS) {
    const e = error as NodeJS.ErrnoException
    return new CoronerError(`fs-${errno.toLowerCase()}`, e.message, {
      // A full disk cuts a collection short: what was written stands, the rest is missing.
      exitCode: errno === 'ENOSPC' ? ExitCode.partial : ExitCode.usage,
      ...(FS_HINTS[errno] === undefined ? {} : {hint: FS_HINTS[errno]}),
      cause: error,
    })
  }
  const message = error instanceof Error ? error.message : String(error)
  return new CoronerError('internal', message, {exitCode: ExitCode.internal, cause: error})
}
