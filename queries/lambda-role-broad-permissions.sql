-- id: lambda-role-broad-permissions
-- title: Function roles with administrator or wildcard permissions
-- description: Policies of collected execution roles that grant AdministratorAccess or allow every action: whatever runs in the function can do the same.
-- severity: high
-- attack: T1078.004
-- evidence: lambda, iam
SELECT f.function_name AS function, p.role_name AS role, p.kind, coalesce(p.policy_arn, p.policy_name) AS policy,
  p.artifact_key AS evidence_key, p.artifact_sha256 AS evidence_sha256
FROM iam_policies p
LEFT JOIN (SELECT DISTINCT function_name, role FROM lambda_functions) f ON f.role = p.role_arn
WHERE p.kind <> 'trust'
  AND (p.policy_arn LIKE '%/AdministratorAccess' OR regexp_matches(CAST(p.document AS VARCHAR), '"Action"\s*:\s*(\[\s*)?"\*"'))
ORDER BY function, role, policy, evidence_key
