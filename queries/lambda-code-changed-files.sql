-- id: lambda-code-changed-files
-- title: Files added, removed or changed between consecutive versions of a function or layer
-- description: Each collected version of a function (and each layer version) against the version
--   collected before it, file by file and by SHA-256: what a code update actually changed. The
--   evidence is the newer package; previous_evidence_key is the package it is compared with.
--   A name an archive holds twice is compared by its last entry (what most extractors keep).
-- severity: info
-- parameters: function:string=
-- evidence: lambda
WITH pairs AS (
  SELECT coalesce(function_name, layer_arn) AS owner, function_name, layer_arn, region, version, previous_version,
    artifact_key, artifact_sha256, previous_artifact_key
  FROM lambda_code_packages
  WHERE previous_artifact_key IS NOT NULL AND previous_artifact_key <> artifact_key
    AND ($function IS NULL OR function_name = $function OR layer_arn = $function)
),
files AS (
  SELECT coalesce(function_name, layer_arn) AS owner, region, version, artifact_key, path, sha256, size
  FROM lambda_code_files WHERE entry_type <> 'directory'
  QUALIFY row_number() OVER (PARTITION BY coalesce(function_name, layer_arn), region, version, artifact_key, path ORDER BY entry_index DESC) = 1
),
n AS (
  SELECT p.*, f.path, f.sha256, f.size FROM pairs p
  JOIN files f ON f.owner = p.owner AND f.region IS NOT DISTINCT FROM p.region AND f.version = p.version AND f.artifact_key = p.artifact_key
),
o AS (
  SELECT p.*, f.path, f.sha256, f.size FROM pairs p
  JOIN files f ON f.owner = p.owner AND f.region IS NOT DISTINCT FROM p.region AND f.version = p.previous_version AND f.artifact_key = p.previous_artifact_key
)
SELECT coalesce(n.function_name, o.function_name) AS function_name, coalesce(n.layer_arn, o.layer_arn) AS layer_arn,
  coalesce(n.region, o.region) AS region, coalesce(n.version, o.version) AS version, coalesce(n.previous_version, o.previous_version) AS previous_version,
  coalesce(n.path, o.path) AS path,
  CASE WHEN o.path IS NULL THEN 'added' WHEN n.path IS NULL THEN 'removed' ELSE 'changed' END AS change,
  o.sha256 AS old_sha256, n.sha256 AS new_sha256, o.size AS old_size, n.size AS new_size,
  coalesce(n.artifact_key, o.artifact_key) AS evidence_key, coalesce(n.artifact_sha256, o.artifact_sha256) AS evidence_sha256,
  coalesce(n.previous_artifact_key, o.previous_artifact_key) AS previous_evidence_key
FROM n FULL OUTER JOIN o
  ON n.owner = o.owner AND n.region IS NOT DISTINCT FROM o.region AND n.version = o.version AND n.artifact_key = o.artifact_key AND n.path = o.path
WHERE n.path IS NULL OR o.path IS NULL OR n.sha256 IS DISTINCT FROM o.sha256
ORDER BY coalesce(n.owner, o.owner), coalesce(n.region, o.region), TRY_CAST(coalesce(n.version, o.version) AS BIGINT) NULLS LAST,
  coalesce(n.version, o.version), coalesce(n.artifact_key, o.artifact_key), coalesce(n.path, o.path)
