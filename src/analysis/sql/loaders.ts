import {EVENT_TIME_MACRO} from '../../core/event-time.js'

/**
 * How each artifact kind becomes rows, in DuckDB SQL over the artifact files themselves: DuckDB's
 * JSON and CSV readers do the parsing, never JavaScript. `$files` is the list of files of one kind
 * and one compression; `_files` (a temporary table) maps each file to its evidence key and hash.
 * Every statement orders its output so that the same evidence always gives the same tables.
 */

/**
 * Stands for the largest JSON value (or text line) a reader accepts, chosen per group of files
 * when the statement runs: DuckDB allocates read buffers of twice this size per thread, so it is
 * sized to the files (a whole delivery file is one value) rather than set once very large.
 */
export const OBJECT_SIZE = '__MAX_OBJECT_SIZE__'

export type Compression = 'gzip' | 'uncompressed'

const opts = (c: Compression): string => `filename=true, compression='${c}', maximum_object_size=${OBJECT_SIZE}`

/** Macros used by the loaders; temporary, so they are not part of the case database. */
export const MACROS = [
  // A record's eventTime, read by the grammar import applies (core/event-time.ts).
  EVENT_TIME_MACRO,
  // A JSON time that may be an ISO string or epoch seconds (as some SDKs serialise dates).
  `CREATE OR REPLACE TEMP MACRO json_time(j) AS CASE
     WHEN json_type(j) IN ('BIGINT', 'UBIGINT', 'DOUBLE') THEN to_timestamp(CAST(j AS DOUBLE))
     ELSE TRY_CAST(j->>'$' AS TIMESTAMPTZ) END`,
  // A JSON value that may be a document or a string holding one (policies, embedded records).
  `CREATE OR REPLACE TEMP MACRO json_doc(j) AS CASE
     WHEN json_type(j) = 'VARCHAR' THEN TRY_CAST(j->>'$' AS JSON) ELSE j END`,
  // The name in a Lambda ARN (arn:aws:lambda:region:account:function:name[:qualifier]).
  `CREATE OR REPLACE TEMP MACRO lambda_name(arn) AS CASE
     WHEN arn LIKE 'arn:%:lambda:%:function:%' THEN split_part(arn, ':', 7) ELSE arn END`,
  // A list in a response that may be wrapped (`{"Aliases": [...]}`) or bare.
  `CREATE OR REPLACE TEMP MACRO json_items(j, field) AS
     json_extract(CASE WHEN json_type(j) = 'ARRAY' THEN j ELSE json_extract(j, '$.' || field) END, '$[*]')`,
]

export const LOG_READERS: Record<string, (c: Compression) => string> = {
  'logs.events': (c) => `SELECT epoch_ms(j.timestamp) AS time, j.logGroupName AS log_group, j.logStreamName AS log_stream,
      j.message, j.eventId AS event_id, epoch_ms(j.ingestionTime) AS ingestion_time, f.key AS artifact_key, f.sha256 AS artifact_sha256
    FROM read_json($files, format='newline_delimited', ignore_errors=true,
      columns={logGroupName: 'VARCHAR', logStreamName: 'VARCHAR', timestamp: 'BIGINT', ingestionTime: 'BIGINT', message: 'VARCHAR', eventId: 'VARCHAR'},
      ${opts(c)}) j JOIN _files f ON f.path = j.filename
    WHERE j.message IS NOT NULL OR j.timestamp IS NOT NULL`,
  // An export task file: `<ISO time> <message>` per line, the log group and stream named by the artifact.
  'logs.export': (c) => `SELECT TRY_CAST(split_part(j.line, ' ', 1) AS TIMESTAMPTZ) AS time, f.log_group, f.log_stream,
      CASE WHEN position(' ' IN j.line) > 0 THEN substr(j.line, position(' ' IN j.line) + 1) ELSE j.line END AS message,
      NULL AS event_id, NULL AS ingestion_time, f.key AS artifact_key, f.sha256 AS artifact_sha256
    FROM read_csv($files, columns={'line': 'VARCHAR'}, auto_detect=false, header=false, delim=E'\\x1F\\x1E\\x1D', quote='',
      escape='', strict_mode=false, null_padding=true, max_line_size=${OBJECT_SIZE}, filename=true, compression='${c}') j
    JOIN _files f ON f.path = j.filename WHERE j.line IS NOT NULL`,
}

const UUID = '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}'

export function insertLogs(readers: string[]): string {
  return `INSERT INTO log_events
  SELECT CAST(time AS TIMESTAMPTZ), log_group, log_stream, message,
    coalesce(
      nullif(regexp_extract(message, 'RequestId: (${UUID})', 1), ''),
      nullif(regexp_extract(message, '^\\S+\\s+(${UUID})\\s', 1), ''),
      CASE WHEN starts_with(ltrim(message), '{') THEN TRY_CAST(message AS JSON)->>'$.requestId' END),
    nullif(regexp_extract(log_group, '^/aws/lambda/(.+)$', 1), ''),
    event_id, CAST(ingestion_time AS TIMESTAMPTZ), artifact_key, artifact_sha256
  FROM (${readers.join('\nUNION ALL\n')})
  ORDER BY 1 NULLS LAST, log_group, log_stream, event_id, artifact_key, message`
}

/** Whole-document kinds (one JSON value per file), read as JSON and shaped in SQL. */
const docs = (c: Compression): string =>
  `SELECT j.json AS raw, f.key AS artifact_key, f.sha256 AS artifact_sha256, f.source, f.attributes
   FROM read_json_objects($files, format='auto', ${opts(c)}) j JOIN _files f ON f.path = j.filename`

export const DOCUMENT_LOADERS: Record<string, (c: Compression) => string> = {
  'lambda.function': (c) => `INSERT INTO lambda_functions_history
    WITH d AS (${docs(c)}), x AS (SELECT *, coalesce(json_extract(raw, '$.Configuration'), raw) AS cfg FROM d)
    SELECT cfg->>'$.FunctionName', cfg->>'$.FunctionArn', cfg->>'$.Version', cfg->>'$.Runtime', cfg->>'$.Handler', cfg->>'$.Role',
      cfg->>'$.CodeSha256', TRY_CAST(cfg->>'$.CodeSize' AS BIGINT), cfg->>'$.PackageType', raw->>'$.Code.ImageUri',
      json_time(cfg->'$.LastModified'), cfg->>'$.Description', TRY_CAST(cfg->>'$.Timeout' AS INTEGER),
      TRY_CAST(cfg->>'$.MemorySize' AS INTEGER), cfg->>'$.State', cfg->>'$.RevisionId', cfg->'$.Layers',
      to_json(json_keys(cfg->'$.Environment.Variables')), cfg->'$.Environment', raw->'$.Tags',
      TRY_CAST(raw->>'$.Concurrency.ReservedConcurrentExecutions' AS INTEGER), cfg, raw, artifact_key, artifact_sha256
    FROM x ORDER BY 2, 3, artifact_key`,
  'lambda.aliases': (c) => `INSERT INTO lambda_aliases_history
    WITH d AS (${docs(c)}), a AS (SELECT unnest(json_items(raw, 'Aliases')) AS al, artifact_key, artifact_sha256 FROM d)
    SELECT lambda_name(al->>'$.AliasArn'), al->>'$.Name', al->>'$.AliasArn', al->>'$.FunctionVersion', al->>'$.Description',
      al->'$.RoutingConfig', al->>'$.RevisionId', al, artifact_key, artifact_sha256
    FROM a ORDER BY 3, artifact_key`,
  'lambda.policy': (c) => `INSERT INTO lambda_policies_history
    WITH d AS (${docs(c)}), p AS (SELECT json_doc(coalesce(raw->'$.Policy', raw)) AS pol, raw->>'$.RevisionId' AS rev, source, artifact_key, artifact_sha256 FROM d),
    s AS (SELECT unnest(CASE WHEN json_type(pol->'$.Statement') = 'ARRAY' THEN json_extract(pol, '$.Statement[*]') ELSE [pol->'$.Statement'] END) AS st,
      rev, source, artifact_key, artifact_sha256 FROM p)
    SELECT coalesce(lambda_name(CASE WHEN json_type(st->'$.Resource') = 'VARCHAR' THEN st->>'$.Resource' END), lambda_name(source)),
      st->>'$.Sid', st->>'$.Effect',
      CASE WHEN json_type(st->'$.Principal') = 'VARCHAR' THEN st->>'$.Principal'
        ELSE coalesce(st->>'$.Principal.AWS', st->>'$.Principal.Service', st->>'$.Principal.Federated', CAST(st->'$.Principal' AS VARCHAR)) END,
      st->>'$.Action', st->>'$.Resource', st->'$.Condition',
      coalesce(st->>'$.Condition.ArnLike."AWS:SourceArn"', st->>'$.Condition.ArnEquals."AWS:SourceArn"',
        st->>'$.Condition.ArnLike."aws:SourceArn"', st->>'$.Condition.ArnEquals."aws:SourceArn"'),
      coalesce(st->>'$.Condition.StringEquals."AWS:SourceAccount"', st->>'$.Condition.StringEquals."aws:SourceAccount"'),
      coalesce(st->>'$.Condition.StringEquals."aws:PrincipalOrgID"', st->>'$.Condition.StringEquals."AWS:PrincipalOrgID"'),
      st->>'$.Condition.StringEquals."lambda:FunctionUrlAuthType"',
      rev, st, artifact_key, artifact_sha256
    FROM s WHERE st IS NOT NULL ORDER BY 1, 2, artifact_key`,
  'lambda.url-config': (c) => `INSERT INTO lambda_url_configs_history
    WITH d AS (${docs(c)})
    SELECT lambda_name(raw->>'$.FunctionArn'), raw->>'$.FunctionArn', raw->>'$.FunctionUrl', raw->>'$.AuthType', raw->>'$.InvokeMode',
      raw->'$.Cors', json_time(raw->'$.CreationTime'), json_time(raw->'$.LastModifiedTime'), raw, artifact_key, artifact_sha256
    FROM d ORDER BY 2, artifact_key`,
  'lambda.event-source-mappings': (c) => `INSERT INTO lambda_event_source_mappings_history
    WITH d AS (${docs(c)}), m AS (SELECT unnest(json_items(raw, 'EventSourceMappings')) AS e, artifact_key, artifact_sha256 FROM d)
    SELECT e->>'$.UUID', lambda_name(e->>'$.FunctionArn'), e->>'$.FunctionArn', e->>'$.EventSourceArn', e->>'$.State',
      TRY_CAST(e->>'$.BatchSize' AS BIGINT), e->>'$.StartingPosition', json_time(e->'$.LastModified'), e, artifact_key, artifact_sha256
    FROM m ORDER BY 1, artifact_key`,
  'lambda.layer': (c) => `INSERT INTO lambda_layers_history
    WITH d AS (${docs(c)})
    SELECT raw->>'$.LayerArn', raw->>'$.LayerVersionArn', TRY_CAST(raw->>'$.Version' AS BIGINT), raw->>'$.Description',
      json_time(raw->'$.CreatedDate'), raw->'$.CompatibleRuntimes', raw->>'$.Content.CodeSha256',
      TRY_CAST(raw->>'$.Content.CodeSize' AS BIGINT), raw->>'$.LicenseInfo', raw, artifact_key, artifact_sha256
    FROM d ORDER BY 2, artifact_key`,
  'iam.role': (c) => `INSERT INTO iam_policies_history
    WITH d AS (${docs(c)}), r AS (SELECT coalesce(raw->'$.Role', raw) AS role, artifact_key, artifact_sha256 FROM d)
    SELECT role->>'$.RoleName', role->>'$.Arn', 'trust', NULL, NULL, json_doc(role->'$.AssumeRolePolicyDocument'), artifact_key, artifact_sha256
    FROM r ORDER BY 2, artifact_key`,
  // Inline and attached policies; the field names of GetRolePolicy / ListAttachedRolePolicies / GetPolicyVersion.
  'iam.role-policies': (c) => `INSERT INTO iam_policies_history
    WITH d AS (${docs(c)}),
    role AS (SELECT raw, coalesce(raw->>'$.RoleName', raw->>'$.roleName', attributes->>'$.roleName', attributes->>'$.RoleName') AS role_name,
      coalesce(raw->>'$.RoleArn', raw->>'$.roleArn', CASE WHEN source LIKE 'arn:%:iam::%:role/%' THEN source END) AS role_arn, artifact_key, artifact_sha256 FROM d),
    inline AS (SELECT unnest(json_extract(coalesce(raw->'$.InlinePolicies', raw->'$.inline', raw->'$.Inline', '[]'), '$[*]')) AS p, * FROM role),
    managed AS (SELECT unnest(json_extract(coalesce(raw->'$.AttachedPolicies', raw->'$.AttachedManagedPolicies', raw->'$.attached', raw->'$.Managed', '[]'), '$[*]')) AS p, * FROM role)
    SELECT role_name, role_arn, 'inline', p->>'$.PolicyName', NULL, json_doc(coalesce(p->'$.PolicyDocument', p->'$.Document', p->'$.document')), artifact_key, artifact_sha256 FROM inline
    UNION ALL
    SELECT role_name, role_arn, 'managed', p->>'$.PolicyName', p->>'$.PolicyArn',
      json_doc(coalesce(p->'$.Document', p->'$.PolicyDocument', p->'$.PolicyVersion.Document', p->'$.DefaultVersion.Document', p->'$.document')), artifact_key, artifact_sha256 FROM managed
    ORDER BY 1, 3, 4, 5, artifact_key`,
  // A readiness audit (coroner.readiness/v1): one row per check result, in the order the audit gave them.
  'readiness.checks': (c) => `INSERT INTO readiness_checks
    WITH d AS (${docs(c)}), r AS (SELECT unnest(json_extract(raw, '$.checks[*]')) AS ch, generate_subscripts(json_extract(raw, '$.checks[*]'), 1) AS n,
      raw->>'$.accountId' AS account_id, json_time(raw->'$.checkedAt') AS checked_at, artifact_key, artifact_sha256 FROM d)
    SELECT ch->>'$.id', ch->>'$.title', ch->>'$.service', ch->>'$.severity', ch->>'$.status', ch->>'$.resource', ch->>'$.region',
      ch->>'$.reason', ch->>'$.fix', ch->>'$.gap', ch->'$.details', account_id, checked_at, artifact_key, artifact_sha256
    FROM r ORDER BY artifact_key, n`,
  // Containment records (coroner.contain/v1); a record of another schema is still loaded, with its schema in a column.
  'contain.action': (c) => `INSERT INTO containment_actions
    WITH d AS (${docs(c)})
    SELECT split_part(artifact_key, '/', 4), raw->>'$.schema', raw->>'$.action', raw->>'$.target.type', raw->>'$.target.name',
      raw->>'$.target.arn', raw->>'$.target.region', TRY_CAST(raw->>'$.applied' AS BOOLEAN), raw->>'$.status',
      TRY_CAST(raw->>'$.verified' AS BOOLEAN), json_time(raw->'$.at'), raw->>'$.undoes', raw->'$.before', raw->'$.intended',
      raw->'$.after', raw->'$.calls', raw->'$.changes', raw->'$.mismatches', raw->'$.drift', raw->'$.notes', raw->'$.inverse',
      raw, artifact_key, artifact_sha256
    FROM d ORDER BY 1, 12, artifact_key`,
  // A preserved file that is a GuardDuty finding (bare, a GetFindings response, or an EventBridge event).
  'file.added': (c) => `INSERT INTO guardduty_findings
    WITH d AS (${docs(c)}),
    f AS (SELECT unnest(CASE
        WHEN json_type(raw->'$.Findings') = 'ARRAY' THEN json_extract(raw, '$.Findings[*]')
        WHEN json_type(raw->'$.findings') = 'ARRAY' THEN json_extract(raw, '$.findings[*]')
        WHEN json_type(raw) = 'ARRAY' THEN json_extract(raw, '$[*]')
        WHEN json_extract(raw, '$.detail.type') IS NOT NULL THEN [raw->'$.detail']
        ELSE [raw] END) AS g, artifact_key, artifact_sha256 FROM d)
    SELECT coalesce(g->>'$.Id', g->>'$.id'), coalesce(g->>'$.Type', g->>'$.type'), TRY_CAST(coalesce(g->>'$.Severity', g->>'$.severity') AS DOUBLE),
      coalesce(g->>'$.Title', g->>'$.title'), coalesce(g->>'$.AccountId', g->>'$.accountId'), coalesce(g->>'$.Region', g->>'$.region'),
      coalesce(g->>'$.Resource.ResourceType', g->>'$.resource.resourceType'), json_time(coalesce(g->'$.CreatedAt', g->'$.createdAt', g->'$.service.eventFirstSeen', g->'$.Service.EventFirstSeen')),
      json_time(coalesce(g->'$.UpdatedAt', g->'$.updatedAt')), g, artifact_key, artifact_sha256
    FROM f WHERE coalesce(g->>'$.Type', g->>'$.type') IS NOT NULL AND json_type(g) = 'OBJECT'
    ORDER BY 1, 2, artifact_key`,
}

export function insertCustody(): string {
  return `INSERT INTO custody
    SELECT f.run_id, TRY_CAST(j.json->>'$.seq' AS BIGINT), TRY_CAST(j.json->>'$.at' AS TIMESTAMPTZ), j.json->>'$.type', j.json,
      sha256(CAST(j.json AS VARCHAR)), f.key, f.sealed
    FROM read_json_objects($files, format='newline_delimited', ignore_errors=true, filename=true, compression='uncompressed',
      maximum_object_size=16777216) j JOIN _journals f ON f.path = j.filename
    WHERE j.json IS NOT NULL ORDER BY f.run_id, 2`
}
