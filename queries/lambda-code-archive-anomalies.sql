-- id: lambda-code-archive-anomalies
-- title: Code packages and layers built to mislead or overwhelm an extractor
-- description: What reading the code archives found wrong with them, entry by entry: names that
--   climb out of the target folder (..) or are absolute, symlinks (recorded, never followed),
--   encrypted entries, names held twice, control characters or backslashes in names, set-user-ID
--   bits, device files, zip bombs (inflation past the ratio cap or the archive's size cap, entries
--   sharing data), sizes and CRC-32s that lie, and archives truncated, malformed or past the entry
--   limit (whose rest is counted, not read). Lambda's own build tools produce none of these.
-- severity: medium
-- parameters: function:string=
-- attack: T1027
-- evidence: lambda
SELECT function_name, layer_arn, region, version, anomaly, path, entry_index, detail,
  artifact_key AS evidence_key, artifact_sha256 AS evidence_sha256
FROM lambda_code_anomalies
WHERE $function IS NULL OR function_name = $function OR layer_arn = $function
ORDER BY coalesce(function_name, layer_arn), region, TRY_CAST(version AS BIGINT) NULLS LAST, version, evidence_key, entry_index NULLS FIRST, anomaly
