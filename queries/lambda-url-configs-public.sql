-- id: lambda-url-configs-public
-- title: Function URLs without authentication (collected configuration)
-- description: Function URL configurations in the collected evidence whose AuthType is NONE: anyone who knows the URL can invoke the function.
-- severity: high
-- attack: T1190
-- evidence: lambda
SELECT function_name AS function, function_url, auth_type, invoke_mode, creation_time, last_modified_time,
  CAST(cors AS VARCHAR) AS cors, artifact_key AS evidence_key, artifact_sha256 AS evidence_sha256
FROM lambda_url_configs
WHERE upper(auth_type) = 'NONE'
ORDER BY function, evidence_key
