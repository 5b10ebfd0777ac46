/**
 * What an analysis step that works from the evidence and the case database alone declares: it opens
 * no evidence run, calls no AWS operation, needs no IAM permission and writes no artifact.
 */
export const OFFLINE = {
  records: false,
  operations: [],
  permissions: (): readonly string[] => [],
  usesAws: (): boolean => false,
  produces: [],
} as const
