-- id: enumeration-burst
-- title: Bursts of List/Describe/Get calls per principal
-- description: Principals that made at least threshold List*, Describe* or Get* calls to at least min_services services within window_minutes minutes: discovery after a compromise.
-- severity: low
-- parameters: since:timestamp=1970-01-01T00:00:00Z until:timestamp=2999-12-31T23:59:59Z threshold:integer=20 min_services:integer=1 window_minutes:integer=10
-- attack: T1526, T1580
-- evidence: cloudtrail

-- Read calls are most of a trail (4 million of 5 million events): each aggregate is kept small
-- enough for DuckDB to hold or spill within its memory limit. The evidence of a window is found
-- again among the calls of its first moment, not carried through the grouping as text, and the
-- addresses, of the bursts' calls only, are deduplicated before they are listed.
WITH calls AS NOT MATERIALIZED (
  SELECT time_bucket(to_minutes(CAST($window_minutes AS INTEGER)), event_time) AS window_start,
    coalesce(principal_arn, principal_id, invoked_by, principal_type) AS actor,
    event_time, event_source, event_name, error_code, source_ip, artifact_key, artifact_sha256
  FROM cloudtrail_events
  WHERE event_time >= $since AND event_time < $until AND (starts_with(event_name, 'List') OR starts_with(event_name, 'Describe') OR starts_with(event_name, 'Get'))
),
bursts AS (
  SELECT window_start, actor, count(*) AS calls, count(*) FILTER (WHERE error_code IS NOT NULL) AS errors,
    min(event_time) AS first_seen, max(event_time) AS last_seen,
    count(DISTINCT event_source) AS services, count(DISTINCT event_name) AS distinct_actions
  FROM calls GROUP BY window_start, actor HAVING count(*) >= $threshold AND count(DISTINCT event_source) >= $min_services
),
firsts AS (
  SELECT c.window_start, c.actor, min(c.artifact_key) AS evidence_key, arg_min(c.artifact_sha256, c.artifact_key) AS evidence_sha256
  FROM calls c JOIN bursts b ON b.window_start = c.window_start AND b.actor IS NOT DISTINCT FROM c.actor AND c.event_time = b.first_seen
  GROUP BY ALL
),
addresses AS (
  SELECT window_start, actor, array_to_string(list_sort(list(source_ip)), ', ') AS source_ips
  FROM (SELECT DISTINCT c.window_start, c.actor, c.source_ip FROM calls c SEMI JOIN bursts b ON b.window_start = c.window_start AND b.actor IS NOT DISTINCT FROM c.actor WHERE c.source_ip IS NOT NULL) GROUP BY ALL
)
SELECT b.window_start, b.actor, b.calls, b.services, b.distinct_actions, b.errors, ad.source_ips, b.first_seen, b.last_seen, f.evidence_key, f.evidence_sha256
FROM bursts b
JOIN firsts f ON f.window_start = b.window_start AND f.actor IS NOT DISTINCT FROM b.actor
LEFT JOIN addresses ad ON ad.window_start = b.window_start AND ad.actor IS NOT DISTINCT FROM b.actor
ORDER BY window_start, actor
