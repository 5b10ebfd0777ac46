/** IAM policy documents, as `permissions` prints them. */
export interface IamStatement {
  Sid: string
  Effect: 'Allow'
  Action: string[]
  Resource: string | string[]
  Condition?: Record<string, Record<string, string | string[]>>
}

export interface IamPolicy {
  Version: '2012-10-17'
  Statement: IamStatement[]
}

/** Statements for read-only collectors, one per collector, from their declared permissions. */
export function collectorPermissionStatements(collectors: ReadonlyArray<{id: string; permissions: readonly string[]}>): IamStatement[] {
  return collectors
    .filter((c) => c.permissions.length > 0)
    .map((c) => ({Sid: `Collector${c.id.replace(/[^A-Za-z0-9]/g, '')}`, Effect: 'Allow' as const, Action: [...new Set(c.permissions)].sort(), Resource: '*'}))
}

/** An IAM policy document from statements. */
export function iamPolicy(statements: readonly IamStatement[]): IamPolicy {
  return {Version: '2012-10-17', Statement: [...statements]}
}
