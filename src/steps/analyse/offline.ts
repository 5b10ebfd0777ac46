import {NO_AWS} from '../step.js'

/**
 * What a step that works from the evidence and the case database alone declares: it opens no
 * evidence run, calls no AWS operation, needs no IAM permission and writes no artifact.
 */
export const OFFLINE = {
  records: false,
  ...NO_AWS,
  produces: [] as readonly string[],
} as const
