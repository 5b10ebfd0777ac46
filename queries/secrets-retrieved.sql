-- id: secrets-retrieved
-- title: Secrets Manager secret values read
-- description: GetSecretValue and BatchGetSecretValue calls, with how many each principal made: many secrets read by one principal in a short time is credential harvesting.
-- severity: medium
-- parameters: since:timestamp=1970-01-01T00:00:00Z until:timestamp=2999-12-31T23:59:59Z
-- attack: T1555.006
-- evidence: cloudtrail
SELECT event_time AS time, principal_arn AS actor, source_ip, event_name AS action,
  coalesce(json_extract_string(request_parameters, '$.secretId'), CAST(json_extract(request_parameters, '$.secretIdList') AS VARCHAR),
    CAST(json_extract(request_parameters, '$.filters') AS VARCHAR)) AS target,
  error_code, count(*) OVER (PARTITION BY principal_arn) AS reads_by_actor,
  event_id, artifact_key AS evidence_key, artifact_sha256 AS evidence_sha256
FROM cloudtrail_events
WHERE event_source = 'secretsmanager.amazonaws.com' AND list_contains(['GetSecretValue', 'BatchGetSecretValue'], event_name) AND event_time >= $since AND event_time < $until
ORDER BY time, event_id
