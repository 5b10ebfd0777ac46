-- id: invocation-volume-anomaly
-- title: Unusual invocation volume per function and hour
-- description: Hours in which a function ran (REPORT lines) at least factor times its median hourly count and at least min_invocations times: floods, abuse of a public URL, or a loop.
-- severity: low
-- parameters: factor:number=3 min_invocations:integer=20
-- attack: T1496
-- evidence: logs
WITH hourly AS (
  SELECT function_name, date_trunc('hour', time) AS hour, count(*) AS invocations,
    sum(TRY_CAST(regexp_extract(message, 'Billed Duration: ([0-9]+)', 1) AS BIGINT)) AS billed_ms,
    arg_min(artifact_key, (time, artifact_key)) AS evidence_key, arg_min(artifact_sha256, (time, artifact_key)) AS evidence_sha256
  FROM log_events
  WHERE starts_with(message, 'REPORT RequestId:') AND function_name IS NOT NULL
  GROUP BY function_name, date_trunc('hour', time)
), baseline AS (
  SELECT function_name, median(invocations) AS median_per_hour, count(*) AS hours_seen FROM hourly GROUP BY function_name
)
SELECT h.hour, h.function_name AS function, h.invocations, b.median_per_hour, b.hours_seen, h.billed_ms,
  h.evidence_key, h.evidence_sha256
FROM hourly h JOIN baseline b USING (function_name)
WHERE h.invocations >= $min_invocations AND h.invocations >= $factor * b.median_per_hour
ORDER BY h.hour, function
