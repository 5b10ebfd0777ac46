-- id: lambda-configuration-changes
-- title: Lambda function created, configured or deleted
-- description: Every successful call that changes a function (create, configuration, concurrency, versions, aliases, code signing, delete) and who made it.
-- severity: medium
-- parameters: since:timestamp=1970-01-01T00:00:00Z until:timestamp=2999-12-31T23:59:59Z function:string=
-- attack: T1525
-- evidence: cloudtrail
SELECT event_time AS time, principal_arn AS actor, source_ip, event_name AS action,
  coalesce(json_extract_string(request_parameters, '$.functionName'), json_extract_string(response_elements, '$.functionName')) AS function,
  json_extract_string(response_elements, '$.role') AS role, json_extract_string(response_elements, '$.revisionId') AS revision_id,
  event_id, artifact_key AS evidence_key, artifact_sha256 AS evidence_sha256
FROM cloudtrail_events
WHERE event_source = 'lambda.amazonaws.com' AND error_code IS NULL
  AND list_contains(['CreateFunction', 'UpdateFunctionConfiguration', 'UpdateFunctionCode', 'DeleteFunction', 'PublishVersion',
    'CreateAlias', 'UpdateAlias', 'DeleteAlias', 'PutFunctionConcurrency', 'DeleteFunctionConcurrency',
    'PutProvisionedConcurrencyConfig', 'PutFunctionCodeSigningConfig', 'DeleteFunctionCodeSigningConfig',
    'PutFunctionEventInvokeConfig', 'UpdateFunctionEventInvokeConfig', 'PutRuntimeManagementConfig'], event_name)
  AND event_time >= $since AND event_time < $until
  AND ($function IS NULL OR contains(json_extract_string(request_parameters, '$.functionName'), $function))
ORDER BY time, event_id
