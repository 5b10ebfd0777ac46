-- id: lambda-role-credentials-outside-lambda
-- title: Lambda execution role credentials used from outside Lambda
-- description: Calls made with the temporary credentials of the execution role of a function (a role named by a collected function, or one whose trust policy admits lambda.amazonaws.com) from a source that is not an AWS service and with a user agent that is not the Lambda runtime: the credentials were probably taken from the function (environment, /proc, SSRF) and used elsewhere.
-- severity: critical
-- parameters: since:timestamp=1970-01-01T00:00:00Z until:timestamp=2999-12-31T23:59:59Z
-- attack: T1078.004, T1552
-- evidence: cloudtrail, lambda, iam
WITH lambda_roles AS (
  SELECT DISTINCT role AS role_arn FROM lambda_functions WHERE role IS NOT NULL
  UNION
  SELECT DISTINCT role_arn FROM iam_policies WHERE kind = 'trust' AND CAST(document AS VARCHAR) LIKE '%lambda.amazonaws.com%'
)
SELECT e.event_time AS time, e.principal_arn AS actor, e.session_issuer_arn AS role, e.access_key_id, e.source_ip, e.user_agent,
  e.event_source, e.event_name AS action, e.error_code,
  e.event_id, e.artifact_key AS evidence_key, e.artifact_sha256 AS evidence_sha256
FROM cloudtrail_events e
WHERE e.principal_type = 'AssumedRole'
  AND e.session_issuer_arn IN (SELECT role_arn FROM lambda_roles)
  AND e.event_time >= $since AND e.event_time < $until
  AND e.source_ip IS NOT NULL AND e.source_ip NOT LIKE '%.amazonaws.com' AND e.source_ip <> 'AWS Internal'
  AND coalesce(e.user_agent, '') NOT LIKE '%exec-env/AWS_Lambda%'
ORDER BY time, e.event_id
