/**
 * The code tables of the case database. A row belongs to one function version (`function_name`,
 * `version`) or one layer version (`layer_arn` without its version, and `version`), and cites the
 * code package it was read from (`artifact_key`, `artifact_sha256`). Versions sharing a package
 * each get their rows, so every question can be asked of a version directly.
 */
const OWNER = 'function_name VARCHAR, layer_arn VARCHAR, region VARCHAR, version VARCHAR'
const EVIDENCE = 'artifact_key VARCHAR, artifact_sha256 VARCHAR'

export const CODE_TABLES: Record<string, string> = {
  // One row per version and package, with the package of the version before it (the one to diff against).
  lambda_code_packages: `CREATE TABLE lambda_code_packages (${OWNER}, verified BOOLEAN, status VARCHAR, entries BIGINT,
    listed_entries BIGINT, inflated_bytes BIGINT, detail VARCHAR, run_id VARCHAR, ${EVIDENCE},
    previous_version VARCHAR, previous_artifact_key VARCHAR, previous_artifact_sha256 VARCHAR)`,
  lambda_code_files: `CREATE TABLE lambda_code_files (${OWNER}, path VARCHAR, entry_index INTEGER, entry_type VARCHAR,
    size BIGINT, compressed_size BIGINT, mode VARCHAR, modified TIMESTAMPTZ, sha256 VARCHAR, content VARCHAR, language VARCHAR,
    install_path VARCHAR, search_root VARCHAR, module VARCHAR, link_target VARCHAR, indicators INTEGER, note VARCHAR, ${EVIDENCE})`,
  lambda_code_indicators: `CREATE TABLE lambda_code_indicators (${OWNER}, path VARCHAR, line BIGINT, col INTEGER,
    kind VARCHAR, value VARCHAR, detail VARCHAR, ${EVIDENCE})`,
  lambda_code_anomalies: `CREATE TABLE lambda_code_anomalies (${OWNER}, path VARCHAR, entry_index INTEGER, anomaly VARCHAR,
    detail VARCHAR, ${EVIDENCE})`,
}

/** Artifact kinds read as code archives. */
export const CODE_KINDS = new Set(['lambda.code', 'lambda.layer-code'])
