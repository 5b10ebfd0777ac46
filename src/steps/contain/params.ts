import {z} from 'zod'
import {usageError} from '../../core/errors.js'

/** How many resources one containment run may change unless told otherwise. */
export const DEFAULT_MAX_RESOURCES = 10

const names = (what: string) => z.array(z.string().min(1)).describe(what)

/** Parameters every containment step takes. */
export const commonParams = {
  apply: z.boolean().default(false).describe('Make the changes; without it nothing is changed (a dry run, still recorded)'),
  maxResources: z.number().int().min(1).default(DEFAULT_MAX_RESOURCES).describe('Refuse to touch more resources than this'),
}

/** Targets of actions on functions (and aliases): at least one function. */
export const functionTargets = {
  functions: names('Function names or ARNs').min(1),
  region: z.string().min(1).optional().describe('Region of functions given by name (ARNs carry their own); default: the configured region'),
}

/** Targets of actions on roles: roles named, and the execution roles of the functions named. */
export const roleTargets = {
  functions: names('Functions whose execution roles are targets').default([]),
  roles: names('Role names or ARNs').default([]),
  region: functionTargets.region,
}

/** Targets of deactivate-keys: access key ids, and optionally those the case's findings name. */
export const keyTargets = {
  accessKeys: names('Access key ids (AKIA…)').default([]),
  fromFindings: z.boolean().default(false).describe("Also the access keys named by the case database's findings table"),
  db: z.string().min(1).optional().describe('Case database to read findings from; default ./coroner-analysis/<case>/case.duckdb'),
}

/** Refuses a run that would change more resources than allowed, naming them. */
export function guardResources(labels: readonly string[], max: number): void {
  if (labels.length <= max) return
  const shown = labels.slice(0, 12).join(', ') + (labels.length > 12 ? `, … (${labels.length - 12} more)` : '')
  throw usageError(
    'too-many-resources',
    `This containment would touch ${labels.length} resources, more than --max-resources ${max}: ${shown}.`,
    `Name fewer targets, or pass --max-resources ${labels.length} if you mean to touch them all.`,
  )
}
