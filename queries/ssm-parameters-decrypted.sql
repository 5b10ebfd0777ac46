-- id: ssm-parameters-decrypted
-- title: SSM parameters read with decryption
-- description: GetParameter, GetParameters and GetParametersByPath calls with withDecryption true: SecureString values (passwords, keys) read in clear.
-- severity: medium
-- parameters: since:timestamp=1970-01-01T00:00:00Z until:timestamp=2999-12-31T23:59:59Z
-- attack: T1552
-- evidence: cloudtrail
SELECT event_time AS time, principal_arn AS actor, source_ip, event_name AS action,
  coalesce(json_extract_string(request_parameters, '$.name'), CAST(json_extract(request_parameters, '$.names') AS VARCHAR),
    json_extract_string(request_parameters, '$.path')) AS target,
  error_code, event_id, artifact_key AS evidence_key, artifact_sha256 AS evidence_sha256
FROM cloudtrail_events
WHERE event_source = 'ssm.amazonaws.com' AND list_contains(['GetParameter', 'GetParameters', 'GetParametersByPath'], event_name)
  AND coalesce(TRY_CAST(json_extract_string(request_parameters, '$.withDecryption') AS BOOLEAN), false) AND event_time >= $since AND event_time < $until
ORDER BY time, event_id
