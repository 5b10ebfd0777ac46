-- id: lambda-pass-role
-- title: Role passed to a new or reconfigured function (iam:PassRole)
-- description: CreateFunction, and UpdateFunctionConfiguration that sets a role: the caller hands the function a role, whose permissions the code then holds. Roles with broad policies in the evidence are marked.
-- severity: medium
-- parameters: since:timestamp=1970-01-01T00:00:00Z until:timestamp=2999-12-31T23:59:59Z
-- attack: T1098
-- evidence: cloudtrail, iam
SELECT e.event_time AS time, e.principal_arn AS actor, e.source_ip, e.event_name AS action,
  json_extract_string(e.request_parameters, '$.functionName') AS function,
  json_extract_string(e.request_parameters, '$.role') AS role,
  EXISTS (SELECT 1 FROM iam_policies p WHERE p.role_arn = json_extract_string(e.request_parameters, '$.role') AND p.kind <> 'trust'
    AND (p.policy_arn LIKE '%/AdministratorAccess' OR regexp_matches(CAST(p.document AS VARCHAR), '"Action"\s*:\s*(\[\s*)?"\*"'))) AS role_is_admin,
  e.event_id, e.artifact_key AS evidence_key, e.artifact_sha256 AS evidence_sha256
FROM cloudtrail_events e
WHERE e.event_source = 'lambda.amazonaws.com' AND e.error_code IS NULL
  AND e.event_time >= $since AND e.event_time < $until
  AND (e.event_name = 'CreateFunction' OR (e.event_name = 'UpdateFunctionConfiguration' AND json_extract_string(e.request_parameters, '$.role') IS NOT NULL))
ORDER BY time, e.event_id
