-- id: lambda-code-overwritten
-- title: Lambda function code replaced
-- description: UpdateFunctionCode calls that succeeded: who replaced the code of which function, from where, and the new code hash.
-- severity: high
-- parameters: since:timestamp=1970-01-01T00:00:00Z until:timestamp=2999-12-31T23:59:59Z function:string=
-- attack: T1525
-- evidence: cloudtrail
SELECT event_time AS time, principal_arn AS actor, source_ip, user_agent,
  coalesce(json_extract_string(response_elements, '$.functionName'), json_extract_string(request_parameters, '$.functionName')) AS function,
  json_extract_string(response_elements, '$.codeSha256') AS code_sha256,
  json_extract_string(response_elements, '$.version') AS version,
  json_extract_string(request_parameters, '$.publish') AS published,
  event_id, artifact_key AS evidence_key, artifact_sha256 AS evidence_sha256
FROM cloudtrail_events
WHERE event_source = 'lambda.amazonaws.com' AND event_name = 'UpdateFunctionCode' AND error_code IS NULL
  AND event_time >= $since AND event_time < $until
  AND ($function IS NULL OR contains(json_extract_string(request_parameters, '$.functionName'), $function))
ORDER BY time, event_id
