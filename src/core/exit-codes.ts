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
  /** 128 + SIGINT, as shells report a command Ctrl-C stopped. */
  interrupted: 130,
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
  [ExitCode.interrupted, 'interrupted (Ctrl-C, SIGTERM) before the work was done'],
]
