-- id: iam-admin-policy-attached
-- title: Administrator permissions granted
-- description: AttachUserPolicy, AttachRolePolicy or AttachGroupPolicy with AdministratorAccess, and inline policies (Put*Policy) that allow every action.
-- severity: high
-- parameters: since:timestamp=1970-01-01T00:00:00Z until:timestamp=2999-12-31T23:59:59Z
-- attack: T1098
-- evidence: cloudtrail
SELECT event_time AS time, principal_arn AS actor, source_ip, event_name AS action,
  coalesce(json_extract_string(request_parameters, '$.userName'), json_extract_string(request_parameters, '$.roleName'),
    json_extract_string(request_parameters, '$.groupName')) AS target,
  coalesce(json_extract_string(request_parameters, '$.policyArn'), json_extract_string(request_parameters, '$.policyName')) AS policy,
  error_code, event_id, artifact_key AS evidence_key, artifact_sha256 AS evidence_sha256
FROM cloudtrail_events
WHERE event_source = 'iam.amazonaws.com' AND event_time >= $since AND event_time < $until
  AND ((event_name IN ('AttachUserPolicy', 'AttachRolePolicy', 'AttachGroupPolicy')
        AND json_extract_string(request_parameters, '$.policyArn') LIKE '%/AdministratorAccess')
    OR (event_name IN ('PutUserPolicy', 'PutRolePolicy', 'PutGroupPolicy')
        AND regexp_matches(json_extract_string(request_parameters, '$.policyDocument'), '"Action"\s*:\s*(\[\s*)?"\*"')))
ORDER BY time, event_id
