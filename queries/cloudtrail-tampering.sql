-- id: cloudtrail-tampering
-- title: CloudTrail logging stopped, deleted or narrowed
-- description: StopLogging, DeleteTrail, UpdateTrail, PutEventSelectors, PutInsightSelectors and CloudTrail Lake ingestion stops: an intruder blinding the audit trail.
-- severity: critical
-- parameters: since:timestamp=1970-01-01T00:00:00Z until:timestamp=2999-12-31T23:59:59Z
-- attack: T1562.008
-- evidence: cloudtrail
SELECT event_time AS time, principal_arn AS actor, source_ip, event_name AS action,
  coalesce(json_extract_string(request_parameters, '$.name'), json_extract_string(request_parameters, '$.trailName'),
    json_extract_string(request_parameters, '$.eventDataStore')) AS trail,
  CAST(coalesce(json_extract(request_parameters, '$.eventSelectors'), json_extract(request_parameters, '$.advancedEventSelectors')) AS VARCHAR) AS selectors,
  error_code, event_id, artifact_key AS evidence_key, artifact_sha256 AS evidence_sha256
FROM cloudtrail_events
WHERE event_source = 'cloudtrail.amazonaws.com' AND event_time >= $since AND event_time < $until
  AND list_contains(['StopLogging', 'DeleteTrail', 'UpdateTrail', 'PutEventSelectors', 'PutInsightSelectors',
    'StopEventDataStoreIngestion', 'DeleteEventDataStore', 'UpdateEventDataStore'], event_name)
ORDER BY time, event_id
