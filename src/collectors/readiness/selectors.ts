/**
 * What a trail's event selectors record, classic (`EventSelectors`) and advanced
 * (`AdvancedEventSelectors`) alike, as GetEventSelectors returns them. A trail uses one kind or the
 * other; with neither it records every management event, read and write, and no data events.
 */

export interface ClassicSelector {
  ReadWriteType?: string
  IncludeManagementEvents?: boolean
  DataResources?: Array<{Type?: string; Values?: string[]}>
  ExcludeManagementEventSources?: string[]
}

export interface FieldSelector {
  Field?: string
  Equals?: string[]
  StartsWith?: string[]
  EndsWith?: string[]
  NotEquals?: string[]
  NotStartsWith?: string[]
  NotEndsWith?: string[]
}

export interface AdvancedSelector {
  Name?: string
  FieldSelectors?: FieldSelector[]
}

export interface TrailSelectors {
  EventSelectors?: ClassicSelector[]
  AdvancedEventSelectors?: AdvancedSelector[]
}

/** `all`: every event of the kind is recorded; `partial`: some are (some buckets, all but some sources); `none`. */
export type Coverage = 'all' | 'partial' | 'none'

const RANK: Record<Coverage, number> = {none: 0, partial: 1, all: 2}
const best = (list: Coverage[]): Coverage => list.reduce<Coverage>((a, b) => (RANK[b] > RANK[a] ? b : a), 'none')

/** An event described by the advanced-selector fields it would be matched on; fields left out are "any". */
type EventFields = Record<string, string>

/** How one field selector treats one value: every operator given must hold. */
function fieldMatches(f: FieldSelector, v: string): boolean {
  if (f.Equals && !f.Equals.includes(v)) return false
  if (f.StartsWith && !f.StartsWith.some((p) => v.startsWith(p))) return false
  if (f.EndsWith && !f.EndsWith.some((s) => v.endsWith(s))) return false
  if (f.NotEquals?.includes(v)) return false
  if (f.NotStartsWith?.some((p) => v.startsWith(p))) return false
  if (f.NotEndsWith?.some((s) => v.endsWith(s))) return false
  return true
}

/** Whether an advanced selector records the event: yes, no, or only some such events (a field it filters on is "any" here). */
function advancedCoverage(selector: AdvancedSelector, event: EventFields): Coverage {
  let coverage: Coverage = 'all'
  for (const f of selector.FieldSelectors ?? []) {
    const field = f.Field ?? ''
    const value = event[field] ?? event[field.toLowerCase()]
    if (value === undefined) coverage = 'partial'
    else if (!fieldMatches(f, value)) return 'none'
  }
  return coverage
}

const classicReads = (s: ClassicSelector, readOnly: boolean): boolean => {
  const rw = s.ReadWriteType ?? 'All'
  return rw === 'All' || (readOnly ? rw === 'ReadOnly' : rw === 'WriteOnly')
}

const hasAdvanced = (t: TrailSelectors): boolean => (t.AdvancedEventSelectors?.length ?? 0) > 0
const hasClassic = (t: TrailSelectors): boolean => (t.EventSelectors?.length ?? 0) > 0

/** Whether the trail records management events that are read-only (`readOnly`) or that change something. */
export function managementCoverage(t: TrailSelectors, readOnly: boolean): Coverage {
  if (hasAdvanced(t)) return best(t.AdvancedEventSelectors!.map((s) => advancedCoverage(s, {eventCategory: 'Management', readOnly: String(readOnly)})))
  if (!hasClassic(t)) return 'all'
  return best(
    t.EventSelectors!.filter((s) => s.IncludeManagementEvents !== false && classicReads(s, readOnly)).map((s) => ((s.ExcludeManagementEventSources?.length ?? 0) > 0 ? 'partial' : 'all')),
  )
}

const ALL_BUCKETS = /^arn:[a-z-]+:s3(:::)?$/
const ALL_FUNCTIONS = /^arn:[a-z-]+:lambda$/

/** Whether the trail records S3 object-level events of every bucket, read (`readOnly`) or write. */
export function s3DataCoverage(t: TrailSelectors, readOnly: boolean): Coverage {
  if (hasAdvanced(t)) {
    return best(t.AdvancedEventSelectors!.map((s) => advancedCoverage(s, {eventCategory: 'Data', 'resources.type': 'AWS::S3::Object', readOnly: String(readOnly), eventSource: 's3.amazonaws.com'})))
  }
  return best(
    (t.EventSelectors ?? [])
      .filter((s) => classicReads(s, readOnly))
      .flatMap((s) => s.DataResources ?? [])
      .filter((r) => r.Type === 'AWS::S3::Object')
      .map((r) => ((r.Values ?? []).some((v) => ALL_BUCKETS.test(v)) ? 'all' : (r.Values ?? []).length > 0 ? 'partial' : 'none')),
  )
}

/** Whether the trail records Invoke of this function (its unqualified ARN); Invoke is a write event. */
export function lambdaInvokeCoverage(t: TrailSelectors, functionArn: string): Coverage {
  if (hasAdvanced(t)) {
    const event = {eventCategory: 'Data', 'resources.type': 'AWS::Lambda::Function', 'resources.ARN': functionArn, readOnly: 'false', eventName: 'Invoke', eventSource: 'lambda.amazonaws.com'}
    return best(t.AdvancedEventSelectors!.map((s) => advancedCoverage(s, event)))
  }
  const values = (t.EventSelectors ?? [])
    .filter((s) => classicReads(s, false))
    .flatMap((s) => s.DataResources ?? [])
    .filter((r) => r.Type === 'AWS::Lambda::Function')
    .flatMap((r) => r.Values ?? [])
  return values.some((v) => ALL_FUNCTIONS.test(v) || v === functionArn || functionArn.startsWith(`${v}:`)) ? 'all' : 'none'
}
