-- id: cloudtrail-conflicting-records
-- title: Conflicting records for one event id
-- description: CloudTrail records that share an eventID but differ in content. AWS gives every event one ID and delivers the same record wherever it appears (the trail's archive, LookupEvents), so two different records under one ID mean one of them was planted or altered before it was collected: every version is kept, with the evidence object it came from and whether a CloudTrail digest vouched for it (digest_validated).
-- severity: high
-- parameters: since:timestamp=1970-01-01T00:00:00Z until:timestamp=2999-12-31T23:59:59Z
-- attack: T1565.001, T1070
-- evidence: cloudtrail
SELECT event_time AS time, principal_arn AS actor, source_ip, event_source || ':' || event_name AS action, event_id,
  digest_validated, copies,
  (SELECT count(*) FROM cloudtrail_events o WHERE o.event_id = e.event_id) AS versions,
  artifact_key AS evidence_key, artifact_sha256 AS evidence_sha256
FROM cloudtrail_events e
WHERE conflict AND (event_time IS NULL OR (event_time >= $since AND event_time < $until))
ORDER BY event_id, digest_validated DESC NULLS LAST, artifact_key
