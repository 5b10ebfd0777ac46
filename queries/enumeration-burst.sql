-- id: enumeration-burst
-- title: Bursts of List/Describe/Get calls per principal
-- description: Principals that made at least threshold List*, Describe* or Get* calls to at least min_services services within window_minutes minutes: discovery after a compromise.
-- severity: low
-- parameters: since:timestamp=1970-01-01T00:00:00Z until:timestamp=2999-12-31T23:59:59Z threshold:integer=20 min_services:integer=1 window_minutes:integer=10
-- attack: T1526, T1580
-- evidence: cloudtrail

-- Distinct values are listed then deduplicated (list_distinct): DuckDB's DISTINCT aggregates took
-- twice as long over a million events.
SELECT time_bucket(to_minutes(CAST($window_minutes AS INTEGER)), event_time) AS window_start,
  coalesce(principal_arn, principal_id, invoked_by, principal_type) AS actor,
  count(*) AS calls, len(list_distinct(list(event_source))) AS services, len(list_distinct(list(event_name))) AS distinct_actions,
  count(*) FILTER (WHERE error_code IS NOT NULL) AS errors,
  array_to_string(nullif(list_sort(list_distinct(list(source_ip))), []), ', ') AS source_ips,
  min(event_time) AS first_seen, max(event_time) AS last_seen,
  arg_min(artifact_key, (event_time, artifact_key)) AS evidence_key, arg_min(artifact_sha256, (event_time, artifact_key)) AS evidence_sha256
FROM cloudtrail_events
WHERE event_time >= $since AND event_time < $until AND regexp_matches(event_name, '^(List|Describe|Get)')
GROUP BY window_start, actor
HAVING count(*) >= $threshold AND services >= $min_services
ORDER BY window_start, actor
