import {CODE_TABLES} from '../code/tables.js'

/**
 * The case database's tables. Every row keeps the evidence object it came from (`artifact_key`,
 * and `artifact_sha256` stored or, for CloudTrail, joined from `artifacts` by the view) so that
 * any row, and any finding built on it, cites its evidence. JSON values are kept as DuckDB JSON;
 * times are TIMESTAMPTZ in UTC.
 */
export const TABLES: Record<string, string> = {
  artifacts: `CREATE TABLE artifacts (
    run_id VARCHAR, key VARCHAR, kind VARCHAR, sha256 VARCHAR, size BIGINT, source VARCHAR, collector VARCHAR,
    collected_at TIMESTAMPTZ, version_id VARCHAR, content_type VARCHAR, region VARCHAR, records BIGINT,
    attributes JSON, sealed BOOLEAN, status VARCHAR, detail VARCHAR, digest_validated BOOLEAN)`,
  custody: `CREATE TABLE custody (
    run_id VARCHAR, seq BIGINT, "at" TIMESTAMPTZ, type VARCHAR, line JSON, line_sha256 VARCHAR, journal_key VARCHAR, sealed BOOLEAN)`,
  // The record with the fields rules and queries select on first (STORED_FIELDS), what it acted
  // on (`target`, CLOUDTRAIL_TARGET), its time and evidence key; `cloudtrail_events` (a view) adds
  // every other column, and the evidence SHA-256 from `artifacts`. `conflict`: another record has the same eventID and other content (both are kept);
  // `evidence_damage`: what verify named wrong with its artifact, under --accept-damaged (as every table citing evidence has).
  cloudtrail_records: `CREATE TABLE cloudtrail_records (
    event_id VARCHAR, event_time TIMESTAMPTZ, event_name VARCHAR, event_source VARCHAR, event_name_raw VARCHAR, error_code VARCHAR,
    user_agent VARCHAR, principal_type VARCHAR, principal_arn VARCHAR, session_issuer_type VARCHAR,
    source_ip VARCHAR, principal_id VARCHAR, invoked_by VARCHAR, session_issuer_arn VARCHAR, access_key_id VARCHAR, target VARCHAR, nested_arrays BOOLEAN,
    raw JSON USING COMPRESSION zstd, artifact_key VARCHAR, copies INTEGER, conflict BOOLEAN DEFAULT false, evidence_damage VARCHAR)`,
  cloudtrail_event_copies: `CREATE TABLE cloudtrail_event_copies (event_id VARCHAR, artifact_key VARCHAR, artifact_sha256 VARCHAR, content_hash VARCHAR)`,
  log_events: `CREATE TABLE log_events (
    time TIMESTAMPTZ, log_group VARCHAR, log_stream VARCHAR, message VARCHAR, request_id VARCHAR, function_name VARCHAR,
    event_id VARCHAR, ingestion_time TIMESTAMPTZ, artifact_key VARCHAR, artifact_sha256 VARCHAR)`,
  // Snapshot tables: every collection of a resource is kept, each row with its run_id, collected_at
  // and whether it is of the resource's latest snapshot (`latest`, set by snapshots.ts); the view
  // of the name without `_history` (SNAPSHOT_VIEWS) holds only the latest.
  lambda_functions_history: `CREATE TABLE lambda_functions_history (
    function_name VARCHAR, function_arn VARCHAR, version VARCHAR, runtime VARCHAR, handler VARCHAR, role VARCHAR,
    code_sha256 VARCHAR, code_size BIGINT, package_type VARCHAR, image_uri VARCHAR, last_modified TIMESTAMPTZ,
    description VARCHAR, timeout INTEGER, memory_size INTEGER, state VARCHAR, revision_id VARCHAR,
    layers JSON, environment_keys JSON, environment JSON, tags JSON, reserved_concurrency INTEGER,
    configuration JSON, raw JSON, artifact_key VARCHAR, artifact_sha256 VARCHAR)`,
  lambda_aliases_history: `CREATE TABLE lambda_aliases_history (
    function_name VARCHAR, alias_name VARCHAR, alias_arn VARCHAR, function_version VARCHAR, description VARCHAR,
    routing_config JSON, revision_id VARCHAR, raw JSON, artifact_key VARCHAR, artifact_sha256 VARCHAR)`,
  lambda_policies_history: `CREATE TABLE lambda_policies_history (
    function_name VARCHAR, sid VARCHAR, effect VARCHAR, principal VARCHAR, action VARCHAR, resource VARCHAR,
    condition JSON, source_arn VARCHAR, source_account VARCHAR, principal_org_id VARCHAR, function_url_auth_type VARCHAR,
    revision_id VARCHAR, statement JSON, artifact_key VARCHAR, artifact_sha256 VARCHAR)`,
  lambda_url_configs_history: `CREATE TABLE lambda_url_configs_history (
    function_name VARCHAR, function_arn VARCHAR, function_url VARCHAR, auth_type VARCHAR, invoke_mode VARCHAR, cors JSON,
    creation_time TIMESTAMPTZ, last_modified_time TIMESTAMPTZ, raw JSON, artifact_key VARCHAR, artifact_sha256 VARCHAR)`,
  lambda_event_source_mappings_history: `CREATE TABLE lambda_event_source_mappings_history (
    uuid VARCHAR, function_name VARCHAR, function_arn VARCHAR, event_source_arn VARCHAR, state VARCHAR, batch_size BIGINT,
    starting_position VARCHAR, last_modified TIMESTAMPTZ, raw JSON, artifact_key VARCHAR, artifact_sha256 VARCHAR)`,
  lambda_layers_history: `CREATE TABLE lambda_layers_history (
    layer_arn VARCHAR, layer_version_arn VARCHAR, version BIGINT, description VARCHAR, created_date TIMESTAMPTZ,
    compatible_runtimes JSON, code_sha256 VARCHAR, code_size BIGINT, license_info VARCHAR, raw JSON,
    artifact_key VARCHAR, artifact_sha256 VARCHAR)`,
  iam_policies_history: `CREATE TABLE iam_policies_history (
    role_name VARCHAR, role_arn VARCHAR, kind VARCHAR, policy_name VARCHAR, policy_arn VARCHAR, document JSON,
    artifact_key VARCHAR, artifact_sha256 VARCHAR)`,
  // One row per snapshot: a Lambda or IAM artifact, the resource being its place within its run
  // (the same resource in another run is the artifact at the same place), and whether it is the latest.
  snapshots: `CREATE TABLE snapshots (
    resource VARCHAR, kind VARCHAR, label VARCHAR, target VARCHAR, run_id VARCHAR, collected_at TIMESTAMPTZ, latest BOOLEAN,
    retired_by_run VARCHAR, artifact_key VARCHAR, artifact_sha256 VARCHAR)`,
  // What differs between two snapshots of a resource in turn: changed, added (absent from an earlier
  // snapshot of its function) or removed (absent from a later one); fields names the paths that differ.
  snapshot_changes: `CREATE TABLE snapshot_changes (
    "time" TIMESTAMPTZ, source VARCHAR, change VARCHAR, resource VARCHAR, kind VARCHAR, label VARCHAR, target VARCHAR,
    from_run VARCHAR, to_run VARCHAR, from_time TIMESTAMPTZ, to_time TIMESTAMPTZ, fields JSON, detail VARCHAR,
    from_artifact_key VARCHAR, artifact_key VARCHAR, artifact_sha256 VARCHAR)`,
  readiness_checks: `CREATE TABLE readiness_checks (
    check_id VARCHAR, title VARCHAR, service VARCHAR, severity VARCHAR, status VARCHAR, resource VARCHAR, region VARCHAR,
    reason VARCHAR, fix VARCHAR, gap VARCHAR, details JSON, account_id VARCHAR, checked_at TIMESTAMPTZ,
    artifact_key VARCHAR, artifact_sha256 VARCHAR)`,
  containment_actions: `CREATE TABLE containment_actions (
    run_id VARCHAR, schema VARCHAR, action VARCHAR, target_type VARCHAR, target_name VARCHAR, target_arn VARCHAR, region VARCHAR,
    applied BOOLEAN, status VARCHAR, verified BOOLEAN, "at" TIMESTAMPTZ, undoes VARCHAR, before JSON, intended JSON, after JSON,
    calls JSON, changes JSON, mismatches JSON, drift JSON, notes JSON, inverse JSON, raw JSON, artifact_key VARCHAR, artifact_sha256 VARCHAR)`,
  guardduty_findings: `CREATE TABLE guardduty_findings (
    finding_id VARCHAR, type VARCHAR, severity DOUBLE, title VARCHAR, account_id VARCHAR, region VARCHAR,
    resource_type VARCHAR, created_at TIMESTAMPTZ, updated_at TIMESTAMPTZ, raw JSON, artifact_key VARCHAR, artifact_sha256 VARCHAR)`,
  ...CODE_TABLES,
}

/** The tables of collected snapshots: `<name>_history` holds every snapshot, the view `<name>` the latest of each resource. */
export const SNAPSHOT_TABLES = [
  'lambda_functions', 'lambda_aliases', 'lambda_policies', 'lambda_url_configs', 'lambda_event_source_mappings', 'lambda_layers', 'iam_policies',
] as const

/**
 * The rows of a snapshot table that say the same thing, once: the first snapshot that held them
 * (the configuration rows of the timeline, which every later snapshot of an unchanged resource repeats).
 */
const firstSeen = (table: string, by: string): string =>
  `(SELECT * FROM ${table}_history QUALIFY row_number() OVER (PARTITION BY ${by} ORDER BY collected_at, run_id, artifact_key) = 1)`

/** Views built over the tables once they are filled. */
export const VIEWS: Record<string, string> = {
  ...Object.fromEntries(SNAPSHOT_TABLES.map((t) => [t, `CREATE VIEW ${t} AS SELECT * FROM ${t}_history WHERE latest`])),
  // Typed columns next to the raw record. Those rules and queries select on first are stored in
  // cloudtrail_records; the others are computed from the record when read, on the rows a query
  // keeps: the record is stored once, and loading runs close to the speed of DuckDB's JSON reader.
  cloudtrail_events: `CREATE VIEW cloudtrail_events AS SELECT
    event_id, event_time, event_name, event_name_raw, event_source,
    json_extract_string(raw, '$.awsRegion') AS aws_region,
    coalesce(json_extract_string(raw, '$.recipientAccountId'), json_extract_string(raw, '$.userIdentity.accountId')) AS account_id,
    source_ip,
    user_agent, principal_arn, principal_type,
    principal_id,
    coalesce(json_extract_string(raw, '$.userIdentity.userName'), json_extract_string(raw, '$.userIdentity.sessionContext.sessionIssuer.userName')) AS principal_name,
    access_key_id,
    session_issuer_arn,
    json_extract_string(raw, '$.userIdentity.sessionContext.sessionIssuer.userName') AS session_issuer_name,
    invoked_by,
    error_code,
    json_extract_string(raw, '$.errorMessage') AS error_message,
    json_extract(raw, '$.requestParameters') AS request_parameters,
    json_extract(raw, '$.responseElements') AS response_elements,
    json_extract(raw, '$.resources') AS resources,
    json_extract(raw, '$.additionalEventData') AS additional_event_data,
    TRY_CAST(json_extract_string(raw, '$.readOnly') AS BOOLEAN) AS read_only,
    json_extract_string(raw, '$.eventType') AS event_type,
    json_extract_string(raw, '$.eventCategory') AS event_category,
    TRY_CAST(json_extract_string(raw, '$.managementEvent') AS BOOLEAN) AS management_event,
    json_extract_string(raw, '$.requestID') AS request_id,
    session_issuer_type,
    target,
    raw, artifact_key, a.sha256 AS artifact_sha256, copies, conflict, a.digest_validated, evidence_damage
  FROM cloudtrail_records r
  -- One row per key (evidence keys are unique in a case): a query that reads neither column skips
  -- the join, which a scalar subquery per row (bound to fail on a repeated key) never lets DuckDB do.
  LEFT JOIN (SELECT key, any_value(sha256) AS sha256, any_value(digest_validated) AS digest_validated FROM artifacts GROUP BY key) a ON a.key = r.artifact_key`,
  cloudtrail_duplicates: `CREATE VIEW cloudtrail_duplicates AS
    SELECT event_id, count(*)::INTEGER AS copies, count(DISTINCT content_hash)::INTEGER AS contents, list(artifact_key ORDER BY artifact_key) AS artifact_keys,
      list(artifact_sha256 ORDER BY artifact_key) AS artifact_sha256s
    FROM cloudtrail_event_copies GROUP BY event_id`,
  timeline: `CREATE VIEW timeline AS
    SELECT event_time AS time, 'cloudtrail' AS source,
      coalesce(principal_arn, principal_id, invoked_by, principal_type) AS actor,
      split_part(event_source, '.', 1) || ':' || event_name AS action,
      target,
      source_ip,
      CASE WHEN error_code IS NOT NULL THEN error_code || coalesce(': ' || error_message, '') END AS detail,
      artifact_key AS evidence_key, artifact_sha256 AS evidence_sha256, event_id
    FROM cloudtrail_events
    UNION ALL
    SELECT time, 'logs', function_name, 'log', log_group, NULL, message, artifact_key, artifact_sha256, event_id FROM log_events
    UNION ALL
    SELECT last_modified, 'lambda', NULL, 'function-modified', function_arn, NULL,
      'version ' || coalesce(version, '?') || ', code ' || coalesce(code_sha256, '?'), artifact_key, artifact_sha256, NULL
    FROM ${firstSeen('lambda_functions', 'function_arn, version, last_modified, code_sha256')}
    UNION ALL
    SELECT creation_time, 'lambda', NULL, 'function-url-created', function_arn, NULL,
      'auth ' || coalesce(auth_type, '?') || ' ' || coalesce(function_url, ''), artifact_key, artifact_sha256, NULL
    FROM ${firstSeen('lambda_url_configs', 'function_arn, function_url, creation_time')}
    UNION ALL
    SELECT last_modified, 'lambda', NULL, 'event-source-mapping-modified', function_arn, NULL,
      coalesce(event_source_arn, '') || ' ' || coalesce(state, ''), artifact_key, artifact_sha256, NULL
    FROM ${firstSeen('lambda_event_source_mappings', 'uuid, last_modified, state')}
    UNION ALL
    SELECT created_date, 'lambda', NULL, 'layer-version-created', layer_version_arn, NULL, description, artifact_key, artifact_sha256, NULL
    FROM ${firstSeen('lambda_layers', 'layer_version_arn')}
    UNION ALL
    SELECT "time", source, NULL, 'snapshot-' || change, target, NULL, detail, artifact_key, artifact_sha256, NULL
    FROM snapshot_changes
    UNION ALL
    SELECT c."at", 'containment',
      (SELECT coalesce(j.line->>'$.caller.arn', j.line->>'$.host.user') FROM custody j WHERE j.run_id = c.run_id AND j.type = 'run-started'),
      CASE WHEN c.undoes IS NULL THEN 'contain:' ELSE 'undo:' END || c.action, coalesce(c.target_arn, c.target_name), NULL,
      c.status || CASE WHEN c.verified THEN ', verified' ELSE ', NOT verified' END || coalesce(' (undoes run ' || c.undoes || ')', ''),
      c.artifact_key, c.artifact_sha256, NULL
    FROM containment_actions c WHERE c.applied
    UNION ALL
    SELECT "at", 'custody', line->>'$.host.user', type, run_id, NULL,
      coalesce(line->>'$.step', line->>'$.artifact.key', line->>'$.gap.reason', line->>'$.message', line->>'$.status', line->>'$.command'),
      journal_key, line_sha256, NULL
    FROM custody`,
}
