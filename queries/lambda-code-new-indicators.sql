-- id: lambda-code-new-indicators
-- title: What a new version of a function or layer reaches for that the version before did not
-- description: Indicators (URLs, domains and IP addresses, process execution, raw sockets, credential
--   environment variables, /proc/self/environ, the runtime API, decoded code run, long base64 or hex
--   blobs, high-entropy strings, access key ids) in a version or layer version and not in the one
--   collected before it: matched by file, kind and value, so an occurrence beyond the number the
--   previous version had in that file counts as new. The first version collected has no version
--   before it and is not listed (its indicators are in lambda_code_indicators).
-- severity: high
-- parameters: function:string=
-- attack: T1525 T1552
-- evidence: lambda
WITH pairs AS (
  SELECT coalesce(function_name, layer_arn) AS owner, function_name, layer_arn, region, version, previous_version,
    artifact_key, artifact_sha256, previous_artifact_key
  FROM lambda_code_packages
  WHERE previous_artifact_key IS NOT NULL AND previous_artifact_key <> artifact_key
    AND ($function IS NULL OR function_name = $function OR layer_arn = $function)
),
cur AS (
  SELECT p.*, i.path, i.line, i.col, i.kind, i.value, i.detail,
    row_number() OVER (PARTITION BY p.owner, p.region, p.version, p.artifact_key, i.path, i.kind, i.value ORDER BY i.line, i.col) AS nth
  FROM pairs p JOIN lambda_code_indicators i
    ON coalesce(i.function_name, i.layer_arn) = p.owner AND i.region IS NOT DISTINCT FROM p.region AND i.version = p.version AND i.artifact_key = p.artifact_key
),
prev AS (
  SELECT p.owner, p.region, p.version, p.artifact_key, i.path, i.kind, i.value, count(*) AS n
  FROM pairs p JOIN lambda_code_indicators i
    ON coalesce(i.function_name, i.layer_arn) = p.owner AND i.region IS NOT DISTINCT FROM p.region AND i.version = p.previous_version AND i.artifact_key = p.previous_artifact_key
  GROUP BY ALL
)
SELECT c.function_name, c.layer_arn, c.region, c.version, c.previous_version, c.path, c.line, c.col, c.kind, c.value, c.detail,
  c.artifact_key AS evidence_key, c.artifact_sha256 AS evidence_sha256, c.previous_artifact_key AS previous_evidence_key
FROM cur c LEFT JOIN prev ON prev.owner = c.owner AND prev.region IS NOT DISTINCT FROM c.region AND prev.version = c.version
  AND prev.artifact_key = c.artifact_key AND prev.path = c.path AND prev.kind = c.kind AND prev.value = c.value
WHERE c.nth > coalesce(prev.n, 0)
ORDER BY c.owner, c.region, TRY_CAST(c.version AS BIGINT) NULLS LAST, c.version, c.path, c.line, c.col, c.kind
