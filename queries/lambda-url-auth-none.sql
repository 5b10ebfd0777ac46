-- id: lambda-url-auth-none
-- title: Function URL created or changed with AuthType NONE
-- description: CreateFunctionUrlConfig or UpdateFunctionUrlConfig calls that make a function callable from the internet without IAM authentication.
-- severity: high
-- parameters: since:timestamp=1970-01-01T00:00:00Z until:timestamp=2999-12-31T23:59:59Z
-- attack: T1190
-- evidence: cloudtrail
SELECT event_time AS time, principal_arn AS actor, source_ip, event_name AS action,
  json_extract_string(request_parameters, '$.functionName') AS function,
  json_extract_string(request_parameters, '$.authType') AS auth_type,
  json_extract_string(response_elements, '$.functionUrl') AS function_url,
  event_id, artifact_key AS evidence_key, artifact_sha256 AS evidence_sha256
FROM cloudtrail_events
WHERE event_source = 'lambda.amazonaws.com' AND list_contains(['CreateFunctionUrlConfig', 'UpdateFunctionUrlConfig'], event_name)
  AND error_code IS NULL AND upper(json_extract_string(request_parameters, '$.authType')) = 'NONE' AND event_time >= $since AND event_time < $until
ORDER BY time, event_id
