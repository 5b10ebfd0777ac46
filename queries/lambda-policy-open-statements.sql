-- id: lambda-policy-open-statements
-- title: Function resource policy statements open to anyone or another account
-- description: Statements of collected function policies that allow "*" or a principal of another account, with no source ARN, source account or organisation condition.
-- severity: high
-- parameters: function:string=
-- attack: T1546
-- evidence: lambda
SELECT p.function_name AS function, p.sid, p.effect, p.principal, p.action, p.function_url_auth_type,
  CAST(p.condition AS VARCHAR) AS condition, p.artifact_key AS evidence_key, p.artifact_sha256 AS evidence_sha256
FROM lambda_policies p
WHERE p.effect = 'Allow'
  AND (p.principal = '*'
    OR (p.principal NOT LIKE '%.amazonaws.com'
        AND p.principal NOT LIKE '%:' || coalesce(split_part(p.resource, ':', 5), '?') || ':%'
        AND p.principal <> coalesce(split_part(p.resource, ':', 5), '?')))
  AND p.source_arn IS NULL AND p.source_account IS NULL AND p.principal_org_id IS NULL
  AND ($function IS NULL OR p.function_name = $function)
ORDER BY function, p.sid, evidence_key
