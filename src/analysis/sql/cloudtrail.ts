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

/** The columns of cloudtrail_records, in the order the loader fills them. */
export const CLOUDTRAIL_COLUMNS = ['event_id', 'event_time', 'event_name', ...STORED_FIELDS.slice(1).map((f) => f.column), 'nested_arrays', 'raw', 'artifact_key', 'copies']

const quoteKey = (k: string): string => JSON.stringify(k)

/** The first step of each nested stored field, with the paths read under it. */
function nestedRoots(): Map<string, string[]> {
  const roots = new Map<string, string[]>()
  for (const f of STORED_FIELDS) if (f.path.length > 1) roots.set(f.path[0]!, [...(roots.get(f.path[0]!) ?? []), `$.${f.path.slice(1).join('.')}`])
  return roots
}

/**
 * Where an array may stand on the way to a nested stored field (`userIdentity` itself, its
 * `sessionContext`, `sessionIssuer`): a rule over such a field also looks into each element, which
 * the typed column cannot show; `nested_arrays` says when the record must be read for that.
 */
function containers(paths: readonly string[]): string[] {
  const out = new Set(['$'])
  for (const p of paths) {
    const steps = p.slice(2).split('.')
    for (let i = 1; i < steps.length; i++) out.add(`$.${steps.slice(0, i).join('.')}`)
  }
  return [...out]
}

/**
 * The stored fields of `raw`, read in one parse of the record: top-level fields as text, and the
 * object under each nested field's first step as JSON, from which its fields are read in one more
 * parse of that small object (reading nested values as text directly would format numbers
 * differently from json_extract_string). `inner` is computed per record, `values` from it.
 */
function fieldExpressions(): {shape: string; inner: string[]; values: string[]; nestedArrays: string} {
  const roots = nestedRoots()
  const top = ['eventTime', ...STORED_FIELDS.filter((f) => f.path.length === 1).map((f) => f.path[0]!)]
  const shape = `{${[...top.map((k) => `${quoteKey(k)}:"VARCHAR"`), ...[...roots.keys()].map((k) => `${quoteKey(k)}:"JSON"`)].join(',')}}`
  const rootNames = [...roots.keys()]
  const inner = rootNames.flatMap((root, r) => [
    `json_extract_string(t."${root}", [${roots.get(root)!.map((p) => `'${p}'`).join(', ')}]) AS u${r}`,
    `json_type(t."${root}", [${containers(roots.get(root)!).map((p) => `'${p}'`).join(', ')}]) AS k${r}`,
  ])
  const values = STORED_FIELDS.map((f) => {
    // Read as text, a number is written as DuckDB formats a double (1e-07, not 1e-7): the few
    // values that may be numbers (text from '-' to '9') are read again as json_extract_string does.
    if (f.path.length === 1) return `CASE WHEN t."${f.path[0]}" >= '-' AND t."${f.path[0]}" < ':' THEN json_extract_string(raw, '$.${f.path[0]}') ELSE t."${f.path[0]}" END`
    const r = rootNames.indexOf(f.path[0]!)
    return `u${r}[${roots.get(f.path[0]!)!.indexOf(`$.${f.path.slice(1).join('.')}`) + 1}]`
  })
  const nestedArrays = rootNames.length === 0 ? 'false' : rootNames.map((_, r) => `coalesce(list_contains(k${r}, 'ARRAY'), false)`).join(' OR ')
  return {shape, inner, values, nestedArrays}
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
 * Typed columns next to the raw record, in the order the files were read (files sorted by key):
 * no sort, so that loading runs at close to the speed of DuckDB's reader. Duplicates are folded
 * afterwards, by content (analysis/cloudtrail-dedup.ts). With `keepMalformed`, lines that are not records are
 * inserted with a NULL `raw`, to be counted and removed in one pass rather than read twice.
 */
export function insertCloudtrail(source: string, keepMalformed: boolean): string {
  const {shape, inner, values, nestedArrays} = fieldExpressions()
  const [eventId, , name] = values
  return `INSERT INTO cloudtrail_records (${CLOUDTRAIL_COLUMNS.join(', ')})
  SELECT ${eventId}, event_time(t.eventTime), ${normalisedEventName(name!)}, ${values.slice(1).join(', ')}, ${nestedArrays}, raw, artifact_key, 1
  FROM (SELECT raw, artifact_key, t${inner.map((i) => `, ${i}`).join('')}
    FROM (SELECT raw, artifact_key, json_transform(raw, '${shape}') AS t FROM (${source})${keepMalformed ? '' : ' WHERE raw IS NOT NULL'}))`
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
