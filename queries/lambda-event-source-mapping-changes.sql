-- id: lambda-event-source-mapping-changes
-- title: Event source mappings created, changed or deleted
-- description: CreateEventSourceMapping, UpdateEventSourceMapping and DeleteEventSourceMapping calls: a new trigger can feed attacker data into a function, or a removed one can silence it.
-- severity: medium
-- parameters: since:timestamp=1970-01-01T00:00:00Z until:timestamp=2999-12-31T23:59:59Z
-- attack: T1546
-- evidence: cloudtrail
SELECT event_time AS time, principal_arn AS actor, source_ip, event_name AS action,
  coalesce(json_extract_string(request_parameters, '$.functionName'), json_extract_string(response_elements, '$.functionArn')) AS function,
  coalesce(json_extract_string(request_parameters, '$.eventSourceArn'), json_extract_string(response_elements, '$.eventSourceArn')) AS event_source_arn,
  coalesce(json_extract_string(request_parameters, '$.uUID'), json_extract_string(request_parameters, '$.uuid'), json_extract_string(response_elements, '$.uUID')) AS mapping,
  event_id, artifact_key AS evidence_key, artifact_sha256 AS evidence_sha256
FROM cloudtrail_events
WHERE event_source = 'lambda.amazonaws.com' AND error_code IS NULL AND event_time >= $since AND event_time < $until
  AND list_contains(['CreateEventSourceMapping', 'UpdateEventSourceMapping', 'DeleteEventSourceMapping'], event_name)
ORDER BY time, event_id
