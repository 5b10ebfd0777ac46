import {cloudtrailArchiveCollector} from './cloudtrail-archive.js'
import {cloudtrailDigestCollector} from './cloudtrail-digest.js'
import {cloudtrailLookupCollector} from './cloudtrail-lookup.js'
import type {CollectorDefinition} from './definition.js'
import {iamRoleCollector} from './iam-role.js'
import {lambdaCollector} from './lambda.js'
import {logsExportCollector} from './logs-export.js'
import {logsCollector} from './logs.js'

/** Every collector coroner has, so `permissions` (and later playbooks) can plan without calling AWS. */
export const COLLECTORS: readonly CollectorDefinition[] = [
  lambdaCollector,
  iamRoleCollector,
  logsCollector,
  logsExportCollector,
  cloudtrailLookupCollector,
  cloudtrailArchiveCollector,
  cloudtrailDigestCollector,
]

export const COLLECTOR_IDS: readonly string[] = COLLECTORS.map((c) => c.id)

/** The definitions for `ids`, in registry order; `all` for every collector. */
export function collectorsById(ids: readonly string[]): CollectorDefinition[] {
  return ids.includes('all') ? [...COLLECTORS] : COLLECTORS.filter((c) => ids.includes(c.id))
}
