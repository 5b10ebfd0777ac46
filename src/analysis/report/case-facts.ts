import {BIGINT} from '@duckdb/node-api'
import type {AnalysisDb, Row} from '../db.js'

/** The kinds of value `case_facts` counts: the report's indicators, and the accounts and regions of its scope. */
export const INDICATOR_TYPES = ['ip', 'access-key', 'principal', 'user-agent'] as const

/** Events named by a finding; none when the case has no findings table. */
const flagged = (hasFindings: boolean): string => (hasFindings ? 'SELECT DISTINCT unnest(event_ids) AS event_id FROM findings' : 'SELECT NULL::VARCHAR AS event_id WHERE false')

/**
 * Every indicator, account and region of the case's CloudTrail events with first and last seen,
 * its events and how many of them are in findings, in ONE pass over `cloudtrail_records`: each
 * record's JSON is parsed once for the four fields not stored as columns (reading them through
 * `cloudtrail_events` costs a parse per field and per query, and DuckDB pushes the filters into
 * the view's coalesce). AWS's own service addresses are not indicators.
 */
export function caseFactsSql(hasFindings: boolean): string {
  return `WITH fl AS (${flagged(hasFindings)}),
    e AS (SELECT event_time, event_id IN (SELECT event_id FROM fl) AS flagged, source_ip, coalesce(principal_arn, principal_id) AS principal, user_agent,
        json_extract_string(raw, ['$.awsRegion', '$.recipientAccountId', '$.userIdentity.accountId', '$.userIdentity.accessKeyId']) AS j
      FROM cloudtrail_records),
    v AS (SELECT event_time, flagged, unnest([
        {type: 'ip', value: CASE WHEN source_ip NOT LIKE '%.amazonaws.com' AND source_ip <> 'AWS Internal' THEN source_ip END},
        {type: 'access-key', value: j[4]},
        {type: 'principal', value: principal},
        {type: 'user-agent', value: user_agent},
        {type: 'account', value: nullif(coalesce(j[2], j[3]), '')},
        {type: 'region', value: nullif(j[1], '')}], recursive := true) FROM e)
    SELECT type, value, min(event_time) AS first_seen, max(event_time) AS last_seen, count(*) AS events, count(*) FILTER (WHERE flagged) AS in_findings
    FROM v WHERE value IS NOT NULL GROUP BY type, value`
}

/**
 * Records the case's facts with its findings (`coroner findings` calls this after writing them), so
 * every report reads a table of a few thousand rows instead of a million records.
 */
export async function writeCaseFacts(db: AnalysisDb): Promise<void> {
  await db.run(`CREATE OR REPLACE TABLE case_facts AS ${caseFactsSql(true)} ORDER BY type, value`)
}

/** Whether the case database holds the facts `coroner findings` records. */
async function factsStored(db: AnalysisDb): Promise<boolean> {
  const r = await db.all(`SELECT count(*) AS n FROM information_schema.tables WHERE table_name = 'case_facts' AND table_schema = 'main'`)
  return Number(r.rows[0]?.n ?? 0) > 0
}

export interface CaseFacts {
  /** CloudTrail's accounts and regions, each sorted, at most `scopeLimit`. */
  accounts: string[]
  regions: string[]
  /** Per indicator type, those in findings first, at most `perType`. */
  indicators: Row[]
  /** Distinct values per indicator type, all counted. */
  totals: Record<string, number>
}

const ISO = (col: string): string => `strftime(${col}, '%Y-%m-%dT%H:%M:%S.%gZ')`

/**
 * The accounts, regions and indicators of a case: from `case_facts` when `coroner findings`
 * recorded it, else computed now in the same one pass (a database whose findings an older
 * coroner built).
 */
export async function readCaseFacts(db: AnalysisDb, hasFindings: boolean, perType: number, scopeLimit = 100): Promise<CaseFacts> {
  const source = hasFindings && (await factsStored(db)) ? 'case_facts' : `(${caseFactsSql(hasFindings)})`
  const r = await db.all(
    `WITH r AS (SELECT *, row_number() OVER (PARTITION BY type ORDER BY CASE WHEN type IN ('account', 'region') THEN 0 ELSE -in_findings END, CASE WHEN type IN ('account', 'region') THEN 0 ELSE -events END, value) AS n,
        count(*) OVER (PARTITION BY type) AS total FROM ${source} f)
      SELECT type, value, ${ISO('first_seen')} AS "firstSeen", ${ISO('last_seen')} AS "lastSeen", events, in_findings AS "inFindings", total
      FROM r WHERE n <= CASE WHEN type IN ('account', 'region') THEN $scope ELSE $limit END ORDER BY type, n`,
    {limit: BigInt(perType), scope: BigInt(scopeLimit)},
    {limit: BIGINT, scope: BIGINT},
  )
  const facts: CaseFacts = {accounts: [], regions: [], indicators: [], totals: Object.fromEntries(INDICATOR_TYPES.map((t) => [t, 0]))}
  const byType = new Map<string, Row[]>()
  for (const row of r.rows) {
    const type = String(row.type)
    if (type === 'account') facts.accounts.push(String(row.value))
    else if (type === 'region') facts.regions.push(String(row.value))
    else {
      facts.totals[type] = Number(row.total)
      const {total: _, ...kept} = row
      const list = byType.get(type)
      if (list) list.push(kept)
      else byType.set(type, [kept])
    }
  }
  facts.indicators = INDICATOR_TYPES.flatMap((t) => byType.get(t) ?? [])
  return facts
}
