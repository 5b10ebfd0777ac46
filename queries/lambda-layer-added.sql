-- id: lambda-layer-added
-- title: Lambda layer published or attached to a function
-- description: PublishLayerVersion, AddLayerVersionPermission, and CreateFunction or UpdateFunctionConfiguration calls whose request sets Layers: a layer (or extension) runs inside the function and sees every invocation.
-- severity: high
-- parameters: since:timestamp=1970-01-01T00:00:00Z until:timestamp=2999-12-31T23:59:59Z
-- attack: T1546
-- evidence: cloudtrail
SELECT event_time AS time, principal_arn AS actor, source_ip, event_name AS action,
  coalesce(json_extract_string(request_parameters, '$.functionName'), json_extract_string(request_parameters, '$.layerName')) AS target,
  CAST(json_extract(request_parameters, '$.layers') AS VARCHAR) AS layers,
  coalesce(json_extract_string(response_elements, '$.layerVersionArn'), CAST(json_extract(response_elements, '$.layers') AS VARCHAR)) AS detail,
  event_id, artifact_key AS evidence_key, artifact_sha256 AS evidence_sha256
FROM cloudtrail_events
WHERE event_source = 'lambda.amazonaws.com' AND error_code IS NULL AND event_time >= $since AND event_time < $until
  AND (list_contains(['PublishLayerVersion', 'AddLayerVersionPermission'], event_name)
    OR (list_contains(['UpdateFunctionConfiguration', 'CreateFunction'], event_name) AND json_array_length(json_extract(request_parameters, '$.layers')) > 0))
ORDER BY time, event_id
