import {parseLakeValue} from './lake-values.js'

/**
 * The wrappers CloudTrail records arrive in, and how each is taken apart: the record is reached
 * where AWS or the tool that carried it put it, and the wrapper's own time is kept for records that
 * lost their `eventTime` on the way (a log shipper that renamed it, say).
 */
export const MAPPINGS = {
  record: 'the value is the record',
  'delivery-file': 'each item of Records[] (a trail delivery file)',
  array: 'each item of a JSON array',
  'lookup-events': 'the CloudTrailEvent of each LookupEvents event (a string holding the record, or the record)',
  'lake-query-results': 'each row of a CloudTrail Lake query result, its columns merged (values as Lake writes them)',
  eventbridge: 'the detail of an EventBridge "… via CloudTrail" event',
  'cloudwatch-logs': 'the message of each CloudWatch Logs event (a trail delivered to a log group)',
  splunk: 'the _raw of a Splunk search result (time: _time)',
  elastic: 'the _source of an Elasticsearch hit (the record, its event.original or its message; time: @timestamp)',
  shipper: 'the record held in _raw or message of a log shipper\'s event (time: the shipper\'s field)',
} as const

export type Mapping = keyof typeof MAPPINGS

/** A time a wrapper recorded, under the field it used. */
export interface WrapperTime {
  field: string
  value: unknown
}

/** Something that should be a record: where it came from, its position in its container, and a wrapper's time. */
export interface Candidate {
  value: unknown
  mapping: Mapping
  /** Index in the array or Records[] it came from. */
  item?: number
  time?: WrapperTime
  /** Taken from a container of records (Records[], an array, a LookupEvents page): an object there is presumed a record. */
  presumed: boolean
}

/** What a JSON value holds: the candidates, or a description of what was found instead. */
export type Expansion = {kind: Mapping; candidates: Candidate[]} | {unknown: string}

/** Fields log shippers keep the event time in, in the order they are asked. */
const TIME_FIELDS = ['@timestamp', '_time', 'timestamp', 'time', 'date', 'EventTime'] as const

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

/** Whether an object reads as a CloudTrail record rather than some other event. */
export function looksLikeRecord(v: Record<string, unknown>): boolean {
  return 'eventName' in v || 'eventSource' in v || 'eventVersion' in v || ('eventTime' in v && 'eventID' in v)
}

function wrapperTime(v: Record<string, unknown>): WrapperTime | undefined {
  for (const field of TIME_FIELDS) if (v[field] !== undefined && v[field] !== null) return {field, value: v[field]}
  return undefined
}

/** JSON text inside a string field, or undefined when it holds none. */
function embedded(text: unknown): unknown {
  if (typeof text !== 'string') return undefined
  const t = text.trimStart()
  if (!t.startsWith('{')) return undefined
  try {
    return JSON.parse(t) as unknown
  } catch {
    return undefined
  }
}

/** What was found, for a refusal: the type, or an object's first keys. */
export function describe(value: unknown): string {
  if (Array.isArray(value)) return `a JSON array of ${value.length} item(s)`
  if (!isObject(value)) return value === null ? 'null' : `a JSON ${typeof value}`
  const keys = Object.keys(value)
  if (keys.length === 0) return 'an empty object'
  return `an object with keys ${keys.slice(0, 8).map((k) => JSON.stringify(k.slice(0, 40))).join(', ')}${keys.length > 8 ? `, … (${keys.length})` : ''}`
}

export const LOOKED_FOR =
  'a delivery file ({"Records": [...]}), a JSON array of records, NDJSON of records or of delivery objects, LookupEvents output ({"Events": [...]}), ' +
  'CloudTrail Lake query results ({"QueryResultRows": [...]}), EventBridge events (detail-type "… via CloudTrail"), CloudWatch Logs events of a trail\'s log group, ' +
  'or a Splunk, Elasticsearch or log shipper export (the record at top level or in _source, _raw or message)'

const items = (list: unknown[], mapping: Mapping, presumed: boolean, time?: WrapperTime): Candidate[] =>
  list.map((value, item) => ({value, mapping, item, presumed, ...(time === undefined ? {} : {time})}))

/**
 * The records one JSON value holds, in whichever shape it comes: a container of records is taken
 * apart, a wrapper unwrapped (up to a few levels: a Splunk result holding a CloudWatch Logs event
 * holding a record), a record is itself.
 */
export function expand(value: unknown, levels = 4): Expansion {
  if (Array.isArray(value)) return {kind: 'array', candidates: items(value, 'array', true)}
  if (!isObject(value)) return {unknown: describe(value)}
  const v = value
  if (Array.isArray(v.Records)) return {kind: 'delivery-file', candidates: items(v.Records, 'delivery-file', true)}
  if (Array.isArray(v.Events)) return {kind: 'lookup-events', candidates: v.Events.map((e, item) => ({...lookupEvent(e), item}))}
  if ('CloudTrailEvent' in v) return {kind: 'lookup-events', candidates: [lookupEvent(v)]}
  if (Array.isArray(v.QueryResultRows)) return {kind: 'lake-query-results', candidates: v.QueryResultRows.map((row, item) => ({value: lakeRow(row), mapping: 'lake-query-results', item, presumed: true}))}
  if (typeof v['detail-type'] === 'string' && 'detail' in v) {
    if (!/via CloudTrail$/.test(v['detail-type'])) return {unknown: `an EventBridge event of detail-type ${JSON.stringify(v['detail-type'].slice(0, 80))}, not one delivered via CloudTrail`}
    return {kind: 'eventbridge', candidates: [{value: v.detail, mapping: 'eventbridge', presumed: true, ...(v.time === undefined ? {} : {time: {field: 'time', value: v.time}})}]}
  }
  const logEvents = Array.isArray(v.logEvents) ? v.logEvents : Array.isArray(v.events) && v.events.every((e) => isObject(e) && 'message' in e) ? v.events : undefined
  if (logEvents) return {kind: 'cloudwatch-logs', candidates: logEvents.flatMap((e, item) => unwrapped(e, 'cloudwatch-logs', levels, item))}
  if (isObject(v.result) && ('preview' in v || 'offset' in v || 'lastrow' in v)) return {kind: 'splunk', candidates: unwrapped(v.result, 'splunk', levels)}
  if (Array.isArray(v.results) && v.results.every(isObject)) return {kind: 'splunk', candidates: v.results.flatMap((r, item) => unwrapped(r, 'splunk', levels, item))}
  if (isObject(v.hits) && Array.isArray(v.hits.hits)) return {kind: 'elastic', candidates: v.hits.hits.flatMap((h, item) => unwrapped(h, 'elastic', levels, item))}
  if (isObject(v._source)) return {kind: 'elastic', candidates: unwrapped(v, 'elastic', levels)}
  if (looksLikeRecord(v)) return {kind: 'record', candidates: [{value: v, mapping: 'record', presumed: false, ...timeOf(v)}]}
  const inner = levels > 0 ? unwrapped(v, 'shipper', levels) : []
  if (inner.length > 0 && inner.every((c) => c.value !== v)) return {kind: 'shipper', candidates: inner}
  return {unknown: ecsHint(v) ?? describe(v)}
}

const timeOf = (v: Record<string, unknown>): {time?: WrapperTime} => {
  const t = wrapperTime(v)
  return t === undefined ? {} : {time: t}
}

/** A LookupEvents event: its CloudTrailEvent, parsed when a string; EventTime as the wrapper's time. */
function lookupEvent(e: unknown): Candidate {
  if (!isObject(e)) return {value: e, mapping: 'lookup-events', presumed: true}
  const inner = typeof e.CloudTrailEvent === 'string' ? (embedded(e.CloudTrailEvent) ?? e.CloudTrailEvent) : e.CloudTrailEvent
  return {value: inner, mapping: 'lookup-events', presumed: true, ...(e.EventTime === undefined ? {} : {time: {field: 'EventTime', value: e.EventTime}})}
}

/**
 * A wrapper's record: a Splunk result's `_raw`, an Elasticsearch hit's `_source` (itself a record,
 * or holding it in `event.original` or `message`), a shipper's `message`, a CloudWatch Logs
 * event's `message`; the wrapper's time goes with it. The record found may itself be a wrapper.
 */
function unwrapped(w: unknown, mapping: Mapping, levels: number, item?: number): Candidate[] {
  if (!isObject(w)) return [{value: w, mapping, presumed: false, ...(item === undefined ? {} : {item})}]
  const source = isObject(w._source) ? w._source : w
  const time = wrapperTime(source) ?? wrapperTime(w)
  const at = item === undefined ? {} : {item}
  if (source !== w && looksLikeRecord(source)) return [{value: source, mapping, presumed: false, ...at, ...(time === undefined ? {} : {time})}]
  const original = isObject(source.event) ? source.event.original : undefined
  for (const text of [source._raw, original, source.message]) {
    const inner = embedded(text)
    if (inner === undefined) continue
    if (isObject(inner) && looksLikeRecord(inner)) return [{value: inner, mapping, presumed: false, ...at, ...(time === undefined ? {} : {time})}]
    const deeper = levels > 0 ? expand(inner, levels - 1) : undefined
    if (deeper && 'candidates' in deeper) return deeper.candidates.map((c) => ({...c, mapping, ...at, ...(c.time === undefined && time !== undefined ? {time} : {})}))
  }
  if (looksLikeRecord(source)) return [{value: source, mapping, presumed: false, ...at, ...(time === undefined ? {} : {time})}]
  return [{value: source, mapping, presumed: false, ...at}]
}

/** Elastic's CloudTrail integration keeps only ECS fields unless told to preserve the original event. */
function ecsHint(v: Record<string, unknown>): string | undefined {
  const aws = isObject(v.aws) ? v.aws : undefined
  if (!aws || !('cloudtrail' in aws)) return undefined
  return 'an ECS document of Elastic\'s CloudTrail integration without the original record (re-export with the integration\'s preserve_original_event, which keeps it in event.original)'
}

/** One row of a Lake query result: its single-column maps merged, each value read back from Lake's text form. */
function lakeRow(row: unknown): unknown {
  if (!Array.isArray(row)) return row
  const out: Record<string, unknown> = {}
  for (const cell of row) {
    if (!isObject(cell)) continue
    for (const [column, text] of Object.entries(cell)) out[column] = parseLakeValue(column, text)
  }
  return out
}
