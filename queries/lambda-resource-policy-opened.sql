-- id: lambda-resource-policy-opened
-- title: Lambda resource policy opened to anyone or another account
-- description: AddPermission calls granting invoke rights to "*" or to a principal outside the account (an account id or ARN that is not the account of the function), without a source ARN, source account or organisation condition.
-- severity: high
-- parameters: since:timestamp=1970-01-01T00:00:00Z until:timestamp=2999-12-31T23:59:59Z
-- attack: T1546
-- evidence: cloudtrail
SELECT event_time AS time, principal_arn AS actor, source_ip, event_name AS action,
  json_extract_string(request_parameters, '$.functionName') AS function,
  json_extract_string(request_parameters, '$.principal') AS granted_to,
  json_extract_string(request_parameters, '$.action') AS granted_action,
  json_extract_string(request_parameters, '$.statementId') AS statement_id,
  json_extract_string(request_parameters, '$.functionUrlAuthType') AS function_url_auth_type,
  event_id, artifact_key AS evidence_key, artifact_sha256 AS evidence_sha256
FROM cloudtrail_events
WHERE event_source = 'lambda.amazonaws.com' AND event_name = 'AddPermission' AND error_code IS NULL AND event_time >= $since AND event_time < $until
  AND (json_extract_string(request_parameters, '$.principal') = '*'
    OR (json_extract_string(request_parameters, '$.principal') NOT LIKE '%.amazonaws.com'
        AND json_extract_string(request_parameters, '$.principal') NOT LIKE '%' || coalesce(account_id, '?') || '%'))
  AND json_extract_string(request_parameters, '$.sourceArn') IS NULL
  AND json_extract_string(request_parameters, '$.sourceAccount') IS NULL
  AND json_extract_string(request_parameters, '$.principalOrgID') IS NULL
ORDER BY time, event_id
