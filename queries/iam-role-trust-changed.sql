-- id: iam-role-trust-changed
-- title: Role trust policy changed
-- description: UpdateAssumeRolePolicy calls: a trust policy that admits a new principal (another account, a user) lets it assume the role at will.
-- severity: high
-- parameters: since:timestamp=1970-01-01T00:00:00Z until:timestamp=2999-12-31T23:59:59Z
-- attack: T1098
-- evidence: cloudtrail
SELECT event_time AS time, principal_arn AS actor, source_ip, event_name AS action,
  json_extract_string(request_parameters, '$.roleName') AS target,
  json_extract_string(request_parameters, '$.policyDocument') AS trust_policy, error_code,
  event_id, artifact_key AS evidence_key, artifact_sha256 AS evidence_sha256
FROM cloudtrail_events
WHERE event_source = 'iam.amazonaws.com' AND event_name = 'UpdateAssumeRolePolicy' AND event_time >= $since AND event_time < $until
ORDER BY time, event_id
