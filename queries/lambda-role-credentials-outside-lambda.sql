-- id: lambda-role-credentials-outside-lambda
-- title: Compute role credentials (Lambda, EC2, ECS) used from outside their compute
-- description: Calls made with the temporary credentials a compute service hands its code, from a source that is not an AWS service: a Lambda execution role (a role named by a collected function, or one whose trust policy admits lambda.amazonaws.com) with a user agent that is not the Lambda runtime; an ECS task role (trust admits ecs-tasks.amazonaws.com, or a session named after a task id) with a user agent that is not an ECS task's (exec-env/AWS_ECS_*); an EC2 instance-profile session (named after the instance, i-…) used from an address other identities also work from, or from a second address after the session's first (the instance's own). Calls from private addresses (through a VPC endpoint) are left out. The credentials were probably taken from the compute (environment, /proc, the metadata service, SSRF) and used elsewhere. An EC2 instance behind a NAT shared with people's own sessions, or whose public address changed, can show here too: check the address.
-- severity: critical
-- parameters: since:timestamp=1970-01-01T00:00:00Z until:timestamp=2999-12-31T23:59:59Z
-- attack: T1078.004, T1552.005, T1552
-- evidence: cloudtrail
WITH lambda_roles AS (
  SELECT DISTINCT role AS role_arn FROM lambda_functions WHERE role IS NOT NULL
  UNION
  SELECT DISTINCT role_arn FROM iam_policies WHERE kind = 'trust' AND CAST(document AS VARCHAR) LIKE '%lambda.amazonaws.com%'
),
ecs_roles AS (
  SELECT DISTINCT role_arn FROM iam_policies WHERE kind = 'trust' AND CAST(document AS VARCHAR) LIKE '%ecs-tasks.amazonaws.com%'
),
sessions AS (
  -- Each session classified once, not each of its events: role sessions make most of a trail.
  SELECT *, CASE
      WHEN session_issuer_arn IN (SELECT role_arn FROM lambda_roles) THEN 'lambda'
      WHEN regexp_matches(session_name, '^i-([0-9a-f]{8}|[0-9a-f]{17})$', 'i') THEN 'ec2'
      WHEN session_issuer_arn IN (SELECT role_arn FROM ecs_roles) OR regexp_matches(session_name, '^[0-9a-f]{32}$') THEN 'ecs'
    END AS compute
  FROM (
    SELECT principal_arn, session_issuer_arn, regexp_extract(principal_arn, '^arn:[^:]+:sts::[0-9]*:assumed-role/[^/]+/(.+)$', 1) AS session_name
    FROM (SELECT DISTINCT principal_arn, session_issuer_arn FROM cloudtrail_events WHERE principal_type = 'AssumedRole' AND session_issuer_arn IS NOT NULL)
  )
),
external AS (
  -- The columns the result shows (not the raw record), and of Lambda and ECS sessions only the calls
  -- their runtime did not make; an instance session's every call, to know where it was first used.
  SELECT e.event_time, e.principal_arn, e.session_issuer_arn, s.session_name, s.compute, e.access_key_id, e.source_ip, e.user_agent,
    e.event_source, e.event_name, e.error_code, e.event_id, e.artifact_key, e.artifact_sha256
  FROM cloudtrail_events e JOIN sessions s ON s.principal_arn IS NOT DISTINCT FROM e.principal_arn AND s.session_issuer_arn = e.session_issuer_arn
  WHERE e.principal_type = 'AssumedRole' AND s.compute IS NOT NULL
    -- Said again apart from the join, DuckDB applies it in the scan: of the role sessions' events only
    -- the compute roles' are read.
    AND e.session_issuer_arn IN (SELECT session_issuer_arn FROM sessions WHERE compute IS NOT NULL)
    AND e.source_ip IS NOT NULL AND e.source_ip NOT LIKE '%.amazonaws.com' AND e.source_ip <> 'AWS Internal'
    AND NOT regexp_matches(e.source_ip, '^(10\.|192\.168\.|172\.(1[6-9]|2[0-9]|3[01])\.|fd|fe80:)')
    AND CASE s.compute
      WHEN 'lambda' THEN coalesce(e.user_agent, '') NOT LIKE '%exec-env/AWS_Lambda%'
      WHEN 'ecs' THEN coalesce(e.user_agent, '') NOT LIKE '%exec-env/AWS_ECS_%'
      ELSE true
    END
),
instance_address AS (
  -- Where an instance session was first used from: the instance itself, unless the first use is the theft.
  SELECT principal_arn, arg_min(source_ip, event_time) AS first_ip FROM external WHERE compute = 'ec2' GROUP BY principal_arn
),
people_addresses AS (
  -- Addresses identities that are no compute session work from (users, people's role sessions),
  -- among those instance sessions were used from.
  SELECT DISTINCT e.source_ip FROM cloudtrail_events e
  WHERE e.source_ip IN (SELECT source_ip FROM external WHERE compute = 'ec2')
    AND list_contains(['IAMUser', 'Root', 'AssumedRole', 'FederatedUser', 'IdentityCenterUser'], e.principal_type)
    AND e.principal_arn NOT IN (SELECT principal_arn FROM sessions WHERE compute IS NOT NULL)
)
SELECT x.event_time AS time, x.principal_arn AS actor, x.session_issuer_arn AS role, x.compute, x.session_name AS session,
  CASE x.compute
    WHEN 'lambda' THEN 'not the Lambda runtime'
    WHEN 'ecs' THEN 'not an ECS task'
    WHEN 'ec2' THEN CASE WHEN x.source_ip IN (SELECT source_ip FROM people_addresses) THEN 'an address other identities work from' ELSE 'not the address the instance session was first used from (' || a.first_ip || ')' END
  END AS why,
  x.access_key_id, x.source_ip, x.user_agent,
  x.event_source, x.event_name AS action, x.error_code,
  x.event_id, x.artifact_key AS evidence_key, x.artifact_sha256 AS evidence_sha256
FROM external x LEFT JOIN instance_address a ON a.principal_arn = x.principal_arn
WHERE x.event_time >= $since AND x.event_time < $until
  AND (x.compute <> 'ec2' OR x.source_ip IN (SELECT source_ip FROM people_addresses) OR x.source_ip <> a.first_ip)
ORDER BY time, x.event_id
