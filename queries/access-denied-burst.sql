-- id: access-denied-burst
-- title: Bursts of access-denied errors per principal
-- description: Principals that received at least threshold authorisation errors within window_minutes minutes: typical of someone probing what stolen credentials may do.
-- severity: medium
-- parameters: since:timestamp=1970-01-01T00:00:00Z until:timestamp=2999-12-31T23:59:59Z threshold:integer=5 window_minutes:integer=10
-- attack: T1580
-- evidence: cloudtrail

-- Distinct values are listed then deduplicated (list_distinct): DuckDB's DISTINCT aggregates took
-- twice as long over a million events. Windows start where time_bucket's would (from 2000-01-03
-- UTC), computed on whole microseconds, as in enumeration-burst.
WITH width AS (
  SELECT CASE WHEN CAST($window_minutes AS INTEGER) > 0 THEN CAST($window_minutes AS BIGINT) * 60000000 ELSE error('window_minutes must be at least 1') END AS us
)
SELECT make_timestamptz(epoch_us(event_time) - ((epoch_us(event_time) - 946857600000000) % w.us + w.us) % w.us) AS window_start,
  coalesce(principal_arn, principal_id, invoked_by, principal_type) AS actor,
  count(*) AS errors, len(list_distinct(list(event_name))) AS distinct_actions,
  array_to_string(nullif(list_sort(list_distinct(list(event_source || ':' || event_name))), []), ', ') AS actions,
  array_to_string(nullif(list_sort(list_distinct(list(source_ip))), []), ', ') AS source_ips,
  min(event_time) AS first_seen, max(event_time) AS last_seen,
  arg_min(artifact_key, (event_time, artifact_key)) AS evidence_key, arg_min(artifact_sha256, (event_time, artifact_key)) AS evidence_sha256,
  len(list_distinct(list(artifact_key))) AS evidence_objects
FROM cloudtrail_events, width w
WHERE event_time >= $since AND event_time < $until
  AND (error_code IN ('Forbidden', 'AuthorizationError') OR error_code LIKE '%AccessDenied%'
    OR error_code LIKE '%UnauthorizedOperation%' OR error_code LIKE '%UnauthorizedAccess%')
GROUP BY window_start, actor
HAVING count(*) >= $threshold
ORDER BY window_start, actor
