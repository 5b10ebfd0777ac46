-- id: lambda-function-inventory
-- title: Collected Lambda functions and what they hold
-- description: Every collected function version (its latest snapshot, and the run that collected it) with its role, runtime, code hash, layers and environment variable names (values are not shown); lambda_functions_history holds every snapshot.
-- severity: info
-- parameters: function:string=
-- evidence: lambda
SELECT function_name AS function, version, runtime, role, code_sha256, last_modified,
  CAST(layers AS VARCHAR) AS layers, CAST(environment_keys AS VARCHAR) AS environment_variable_names, reserved_concurrency,
  run_id, collected_at, artifact_key AS evidence_key, artifact_sha256 AS evidence_sha256
FROM lambda_functions
WHERE $function IS NULL OR function_name = $function
ORDER BY function, version, evidence_key
