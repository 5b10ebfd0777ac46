-- id: lambda-environment-changed
-- title: Lambda environment variables changed
-- description: UpdateFunctionConfiguration or CreateFunction calls that set environment variables: only the variable names are shown (CloudTrail hides the values, and so does coroner).
-- severity: medium
-- parameters: since:timestamp=1970-01-01T00:00:00Z until:timestamp=2999-12-31T23:59:59Z function:string=
-- attack: T1525
-- evidence: cloudtrail
SELECT event_time AS time, principal_arn AS actor, source_ip, event_name AS action,
  json_extract_string(request_parameters, '$.functionName') AS function,
  CAST(to_json(json_keys(json_extract(request_parameters, '$.environment.variables'))) AS VARCHAR) AS variable_names,
  event_id, artifact_key AS evidence_key, artifact_sha256 AS evidence_sha256
FROM cloudtrail_events
WHERE event_source = 'lambda.amazonaws.com' AND list_contains(['UpdateFunctionConfiguration', 'CreateFunction'], event_name)
  AND error_code IS NULL AND json_extract(request_parameters, '$.environment.variables') IS NOT NULL
  AND event_time >= $since AND event_time < $until
  AND ($function IS NULL OR contains(json_extract_string(request_parameters, '$.functionName'), $function))
ORDER BY time, event_id
