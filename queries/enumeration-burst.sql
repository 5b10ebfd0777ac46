-- id: enumeration-burst
-- title: Bursts of List/Describe/Get calls per principal
-- description: Principals that made at least threshold List*, Describe* or Get* calls to at least min_services services within window_minutes minutes: discovery after a compromise.
-- severity: low
-- parameters: since:timestamp=1970-01-01T00:00:00Z until:timestamp=2999-12-31T23:59:59Z threshold:integer=20 min_services:integer=1 window_minutes:integer=10
-- attack: T1526, T1580
-- evidence: cloudtrail

-- Read calls are most of a trail (4 million of 5 million events): each aggregate is kept small
-- enough for DuckDB to hold or spill within its memory limit. The evidence of a window and its
-- addresses are not carried through the grouping as text but found in one more pass over the
-- bursts' calls only. Windows start where time_bucket's would (from 2000-01-03 UTC), computed on
-- whole microseconds: five times faster than time_bucket over a million calls.
WITH width AS (
  SELECT CASE WHEN CAST($window_minutes AS INTEGER) > 0 THEN CAST($window_minutes AS BIGINT) * 60000000 ELSE error('window_minutes must be at least 1') END AS us
),
calls AS NOT MATERIALIZED (
  SELECT make_timestamptz(epoch_us(event_time) - ((epoch_us(event_time) - 946857600000000) % w.us + w.us) % w.us) AS window_start,
    coalesce(principal_arn, principal_id, invoked_by, principal_type) AS actor,
    event_time, event_source, event_name, error_code, source_ip, artifact_key, artifact_sha256
  FROM cloudtrail_events, width w
  WHERE event_time >= $since AND event_time < $until AND (starts_with(event_name, 'List') OR starts_with(event_name, 'Describe') OR starts_with(event_name, 'Get'))
),
bursts AS (
  SELECT window_start, actor, count(*) AS calls, count(*) FILTER (WHERE error_code IS NOT NULL) AS errors,
    min(event_time) AS first_seen, max(event_time) AS last_seen,
    count(DISTINCT event_source) AS services, count(DISTINCT event_name) AS distinct_actions
  FROM calls GROUP BY window_start, actor HAVING count(*) >= $threshold AND count(DISTINCT event_source) >= $min_services
),
cited AS (
  -- The evidence of the first call (the earliest, then the smallest key) and the distinct addresses.
  SELECT c.window_start, c.actor,
    min({t: c.event_time, k: c.artifact_key}).k AS evidence_key,
    arg_min(c.artifact_sha256, {t: c.event_time, k: c.artifact_key}) AS evidence_sha256,
    array_to_string(nullif(list_sort(list_distinct(list(c.source_ip))), []), ', ') AS source_ips
  FROM calls c SEMI JOIN bursts b ON b.window_start = c.window_start AND b.actor IS NOT DISTINCT FROM c.actor
  GROUP BY ALL
)
SELECT b.window_start, b.actor, b.calls, b.services, b.distinct_actions, b.errors, f.source_ips, b.first_seen, b.last_seen, f.evidence_key, f.evidence_sha256
FROM bursts b
JOIN cited f ON f.window_start = b.window_start AND f.actor IS NOT DISTINCT FROM b.actor
ORDER BY window_start, actor
