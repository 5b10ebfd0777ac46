/**
 * How CloudTrail records become rows of `cloudtrail_records`: the record itself (`raw`) and the
 * fields that rules and queries select on first, each stored in its own typed column at load time
 * so that a hunt touches the JSON only on the few rows those columns let through.
 */
import {OBJECT_SIZE, type Compression} from './loaders.js'

const opts = (c: Compression): string => `filename=true, compression='${c}', maximum_object_size=${OBJECT_SIZE}`

/** One reader per CloudTrail kind, each yielding `raw` (a record, or NULL when malformed) and `filename`. */
export const CLOUDTRAIL_READERS: Record<string, (c: Compression) => string> = {
  'cloudtrail.delivery-file': (c) =>
    `SELECT unnest(Records) AS raw, filename FROM read_json($files, columns={Records: 'JSON[]'}, format='auto', ${opts(c)})`,
  'cloudtrail.records': (c) =>
    `SELECT json AS raw, filename FROM read_json_objects($files, format='newline_delimited', ignore_errors=true, ${opts(c)})`,
  'cloudtrail.lookup-events': (c) =>
    `SELECT json_doc(json->'$.CloudTrailEvent') AS raw, filename FROM read_json_objects($files, format='newline_delimited', ignore_errors=true, ${opts(c)})`,
}

/** Kinds with one record per line, where a line that is not a record is counted as malformed. */
export const LINE_ORIENTED_CLOUDTRAIL = new Set(['cloudtrail.records', 'cloudtrail.lookup-events'])

/** A record field kept in a typed column: its value is exactly `json_extract_string(raw, '$.<path>')`. */
export interface StoredField {
  column: string
  path: readonly string[]
  /** An account holds few distinct values of it (not an id or an address): rules are decided per distinct combination of these. */
  few?: true
}

/**
 * The fields stored beside the record. Nearly every Sigma rule and named query selects on the
 * event source and name first; error code, user agent and the caller's type and ARN are what the
 * remaining rules select on; the source address and the other ways to name the caller are what
 * queries aggregate over many events by, and the access key that queries follow. Each is what `json_extract_string` reads at its path, so a rule
 * compiled over these columns means what it means over the JSON.
 */
export const STORED_FIELDS: readonly StoredField[] = [
  {column: 'event_id', path: ['eventID']},
  {column: 'event_source', path: ['eventSource'], few: true},
  {column: 'event_name_raw', path: ['eventName'], few: true},
  {column: 'error_code', path: ['errorCode'], few: true},
  {column: 'user_agent', path: ['userAgent'], few: true},
  {column: 'principal_type', path: ['userIdentity', 'type'], few: true},
  {column: 'principal_arn', path: ['userIdentity', 'arn'], few: true},
  {column: 'session_issuer_type', path: ['userIdentity', 'sessionContext', 'sessionIssuer', 'type'], few: true},
  // What the named queries group and filter many events by (an actor without an ARN, where calls came from).
  {column: 'source_ip', path: ['sourceIPAddress']},
  {column: 'principal_id', path: ['userIdentity', 'principalId']},
  {column: 'invoked_by', path: ['userIdentity', 'invokedBy']},
  {column: 'session_issuer_arn', path: ['userIdentity', 'sessionContext', 'sessionIssuer', 'arn']},
  // Which key made the call: read under userIdentity with the fields above, at almost no cost.
  {column: 'access_key_id', path: ['userIdentity', 'accessKeyId']},
]

/** `eventName` without an API version suffix: `UpdateFunctionCode20150331v2` → `UpdateFunctionCode`. */
export const normalisedEventName = (name: string): string => `regexp_replace(${name}, '20[0-9]{6}(v[0-9]+)?$', '')`

/**
 * What an event acted on (the timeline's target, and a finding's): the first of these fields the
 * record holds, each as `json_extract_string` reads it. Stored at load time (`target`), so that a
 * timeline, a filter on its target and a finding's target read a column instead of every record.
 */
const TARGET_PARAMETERS = ['functionName', 'roleName', 'userName', 'policyArn', 'secretId', 'name', 'trailName', 'bucketName', 'layerName'] as const

/** The target's fields: each one's JSON path and where it stands in the struct json_transform reads. */
const TARGET_FIELDS: ReadonlyArray<{json: string; member: string}> = [
  ...TARGET_PARAMETERS.map((f) => ({json: `$.requestParameters.${f}`, member: `t."requestParameters"."${f}"`})),
  {json: '$.resources[0].ARN', member: 't."resources"[1]."ARN"'},
]

/** A key of json_transform's shape, quoted. */
const quoteKey = (k: string): string => JSON.stringify(k)

/** The target's part of json_transform's shape (no stored field lies under these keys). */
const TARGET_SHAPE = `"requestParameters":{${TARGET_PARAMETERS.map((f) => `${quoteKey(f)}:"VARCHAR"`).join(',')}},"resources":[{"ARN":"VARCHAR"}]`

/** The target read from `raw` alone: the record is parsed once for every field (a path each parsed it ten times). */
export const CLOUDTRAIL_TARGET = `list_filter(json_extract_string(raw, [${TARGET_FIELDS.map((f) => `'${f.json}'`).join(', ')}]), x -> x IS NOT NULL)[1]`

/** The columns of cloudtrail_records, in the order the loader fills them. */
export const CLOUDTRAIL_COLUMNS = ['event_id', 'event_time', 'event_name', ...STORED_FIELDS.slice(1).map((f) => f.column), 'target', 'nested_arrays', 'raw', 'artifact_key', 'copies']

/** A node of the shape the record is read into: a text leaf, or an object of named children. */
type ShapeNode = Map<string, ShapeNode | 'VARCHAR'>

/**
 * Children read only to tell an object from an array on the way to a stored field: a console
 * session's `sessionContext` holds `attributes` and no `sessionIssuer`, and without this child it
 * would read like an array.
 */
const WITNESSES: Record<string, {key: string; shape: string}> = {
  'userIdentity.sessionContext': {key: 'attributes', shape: '{"mfaAuthenticated":"VARCHAR"}'},
}

/** Every stored field's path as one tree, with the witnesses. */
function shapeTree(): ShapeNode {
  const tree: ShapeNode = new Map([['eventTime', 'VARCHAR']])
  for (const f of STORED_FIELDS) {
    let node = tree
    for (const [i, step] of f.path.entries()) {
      if (i === f.path.length - 1) {
        node.set(step, 'VARCHAR')
        break
      }
      let next = node.get(step)
      if (next === undefined || next === 'VARCHAR') node.set(step, (next = new Map()))
      node = next
    }
  }
  return tree
}

function shapeText(node: ShapeNode, at: string[]): string {
  const entries = [...node].map(([k, v]) => `${quoteKey(k)}:${v === 'VARCHAR' ? '"VARCHAR"' : shapeText(v, [...at, k])}`)
  const witness = WITNESSES[at.join('.')]
  if (witness !== undefined) entries.push(`${quoteKey(witness.key)}:${witness.shape}`)
  return `{${entries.join(',')}}`
}

/** The objects of the tree below the record, with their paths: where an array may stand. */
function containerPaths(node: ShapeNode, at: string[] = []): string[][] {
  return [...node].flatMap(([k, v]) => (v === 'VARCHAR' ? [] : [[...at, k], ...containerPaths(v, [...at, k])]))
}

const member = (path: readonly string[]): string => `t${path.map((k) => `."${k}"`).join('')}`

/**
 * The stored fields of `raw`, read in the one parse of \`json_transform\` into a struct of text
 * leaves (nested fields included). Text that may be a number (from '-' to '9') is read again as
 * json_extract_string reads it, which formats numbers differently (1e-7, not 1e-07). Where an
 * array stands on the way to a nested field, json_transform gives an object of NULLs, as it does
 * for an object without those keys: only on such rows is the record asked the JSON type of each
 * container, so `nested_arrays` is exact at the cost of one more parse of the few rows in doubt.
 */
function fieldExpressions(): {shape: string; values: string[]; target: string; nestedArrays: string} {
  const tree = shapeTree()
  const values = STORED_FIELDS.map((f) => {
    const v = member(f.path)
    return `CASE WHEN ${v} >= '-' AND ${v} < ':' THEN json_extract_string(raw, '$.${f.path.join('.')}') ELSE ${v} END`
  })
  const containers = containerPaths(tree)
  const childrenOf = (path: string[]): string[] => {
    let node = tree
    for (const k of path) node = node.get(k) as ShapeNode
    const witness = WITNESSES[path.join('.')]
    return [...node.keys(), ...(witness ? [witness.key] : [])]
  }
  const doubt = containers.map((c) => `(${member(c)} IS NOT NULL AND ${childrenOf(c).map((k) => `${member([...c, k])} IS NULL`).join(' AND ')})`)
  const nestedArrays =
    containers.length === 0
      ? 'false'
      : `CASE WHEN ${doubt.join(' OR ')} THEN coalesce(list_contains(json_type(raw, [${containers.map((c) => `'$.${c.join('.')}'`).join(', ')}]), 'ARRAY'), false) ELSE false END`
  // The first field present, read again from the record when it may be a number, as a stored field is.
  const first = `coalesce(${TARGET_FIELDS.map((f) => f.member).join(', ')})`
  const target = `CASE WHEN ${first} >= '-' AND ${first} < ':' THEN ${CLOUDTRAIL_TARGET} ELSE ${first} END`
  const shape = shapeText(tree, [])
  return {shape: `${shape.slice(0, -1)},${TARGET_SHAPE}}`, values, target, nestedArrays}
}

/**
 * The CloudTrail source of one reader, with each record's evidence key cut from its file name
 * (`<root>/<key>`; `rootChars` is the root's length in code points). A join to the file list would
 * do the same but gives no order guarantee; the SHA-256 is joined from `artifacts` when read.
 */
export function cloudtrailSource(reader: string, rootChars: number): string {
  return `SELECT j.raw, substr(j.filename, ${Math.trunc(rootChars) + 2}) AS artifact_key FROM (${reader}) j`
}

/**
 * The order rows are stored in within each batch of files: by service and API, so that the few
 * events a rule or query selects lie side by side and reading their records decompresses a few
 * vectors rather than nearly all of them. Time, evidence key and event id make the order total
 * but for copies of one event in one file.
 */
const CLUSTER_ORDER = ['event_source', 'event_name', 'event_time', 'artifact_key', 'event_id']

/**
 * Typed columns next to the raw record, sorted by CLUSTER_ORDER unless `sorted` is false (a batch
 * of files at a time, so the sort stays in memory). Duplicates are folded afterwards, by content
 * (analysis/cloudtrail-dedup.ts). With `keepMalformed`, lines that are not records are inserted
 * with a NULL `raw`, to be counted and removed in one pass rather than read twice.
 */
export function insertCloudtrail(source: string, keepMalformed: boolean, sorted = true): string {
  const {shape, values, target, nestedArrays} = fieldExpressions()
  const [eventId, , name] = values
  const order = CLUSTER_ORDER.map((c) => CLOUDTRAIL_COLUMNS.indexOf(c) + 1)
  return `INSERT INTO cloudtrail_records (${CLOUDTRAIL_COLUMNS.join(', ')})
  SELECT ${eventId}, event_time(t.eventTime), ${normalisedEventName(name!)}, ${values.slice(1).join(', ')}, ${target}, ${nestedArrays}, raw, artifact_key, 1
  FROM (SELECT raw, artifact_key, json_transform(raw, '${shape}') AS t FROM (${source})${keepMalformed ? '' : ' WHERE raw IS NOT NULL'})
  ${sorted ? `ORDER BY ${order.join(', ')}` : ''}`
}

/** Counts, then removes, the lines of line-oriented artifacts that could not be read as records. */
export const MALFORMED_CLOUDTRAIL = {
  count: 'SELECT count(*) AS n FROM cloudtrail_records WHERE raw IS NULL',
  remove: 'DELETE FROM cloudtrail_records WHERE raw IS NULL',
}

/** Whether any record needs folding: a repeated eventID, or a record without one. Cheap: reads event_id only. */
export const NEEDS_DEDUPLICATION = `SELECT
  (SELECT count(*) FROM cloudtrail_records WHERE event_id IS NULL)
  + (SELECT count(*) FROM (SELECT event_id FROM cloudtrail_records WHERE event_id IS NOT NULL GROUP BY event_id HAVING count(*) > 1)) AS n`
