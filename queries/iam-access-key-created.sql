-- id: iam-access-key-created
-- title: IAM access key created
-- description: CreateAccessKey calls, for the caller itself or for another user (a backdoor key).
-- severity: high
-- parameters: since:timestamp=1970-01-01T00:00:00Z until:timestamp=2999-12-31T23:59:59Z
-- attack: T1098.001
-- evidence: cloudtrail
SELECT event_time AS time, principal_arn AS actor, source_ip, event_name AS action,
  coalesce(json_extract_string(request_parameters, '$.userName'), principal_name) AS target,
  json_extract_string(response_elements, '$.accessKey.accessKeyId') AS new_access_key_id, error_code,
  event_id, artifact_key AS evidence_key, artifact_sha256 AS evidence_sha256
FROM cloudtrail_events
WHERE event_source = 'iam.amazonaws.com' AND event_name = 'CreateAccessKey' AND event_time >= $since AND event_time < $until
ORDER BY time, event_id
