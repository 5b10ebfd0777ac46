-- id: iam-admin-policy-attached
-- title: Administrator permissions granted
-- description: AttachUserPolicy, AttachRolePolicy or AttachGroupPolicy with AdministratorAccess, or with a customer-managed policy whose default version allows every action on every resource (created by CreatePolicy, or by CreatePolicyVersion set as default, or made default by SetDefaultPolicyVersion, before the attachment; or made so after it, on a policy already attached); and inline policies (Put*Policy) that allow every action on every resource. Policy documents are read whether CloudTrail wrote them as JSON or URL-encoded JSON; a Deny statement grants nothing.
-- severity: high
-- parameters: since:timestamp=1970-01-01T00:00:00Z until:timestamp=2999-12-31T23:59:59Z
-- attack: T1098
-- evidence: cloudtrail
WITH iam AS (
  -- The calls and columns this query reads: the view computes every other column for each row selected.
  SELECT event_time, principal_arn, source_ip, event_name, event_id, error_code, artifact_key, artifact_sha256, request_parameters, response_elements
  FROM cloudtrail_events
  WHERE event_source = 'iam.amazonaws.com' AND list_contains(['CreatePolicy', 'CreatePolicyVersion', 'SetDefaultPolicyVersion', 'AttachUserPolicy', 'AttachRolePolicy',
    'AttachGroupPolicy', 'PutUserPolicy', 'PutRolePolicy', 'PutGroupPolicy'], event_name)
),
documents AS (
  -- CloudTrail writes a policy document as JSON text, or URL-encoded (%7B%22Version%22…).
  SELECT event_id, CASE WHEN ltrim(d) LIKE '{%' THEN d ELSE url_decode(d) END AS doc
  FROM (SELECT event_id, json_extract_string(request_parameters, '$.policyDocument') AS d FROM iam
        WHERE list_contains(['CreatePolicy', 'CreatePolicyVersion', 'PutUserPolicy', 'PutRolePolicy', 'PutGroupPolicy'], event_name))
  WHERE d IS NOT NULL
),
statements AS (
  SELECT event_id, unnest(CASE WHEN json_type(doc, '$.Statement') = 'ARRAY' THEN json_extract(doc, '$.Statement[*]') ELSE [json_extract(doc, '$.Statement')] END) AS s
  FROM documents WHERE json_valid(doc)
),
admin_documents AS (
  SELECT DISTINCT event_id FROM statements
  WHERE json_extract_string(s, '$.Effect') = 'Allow'
    AND list_has_any(CASE WHEN json_type(s, '$.Action') = 'ARRAY' THEN json_extract_string(s, '$.Action[*]') ELSE [json_extract_string(s, '$.Action')] END, ['*', '*:*'])
    AND list_contains(CASE WHEN json_type(s, '$.Resource') = 'ARRAY' THEN json_extract_string(s, '$.Resource[*]') ELSE [json_extract_string(s, '$.Resource')] END, '*')
),
admin_versions AS (
  -- A customer-managed policy version that allows everything, and the time it became the default.
  SELECT coalesce(json_extract_string(e.response_elements, '$.policy.arn'), json_extract_string(e.request_parameters, '$.policyArn')) AS policy_arn,
    e.event_time AS made_at, e.event_id AS policy_event_id
  FROM iam e JOIN admin_documents USING (event_id)
  WHERE e.error_code IS NULL
    AND (e.event_name = 'CreatePolicy' OR (e.event_name = 'CreatePolicyVersion' AND json_extract_string(e.request_parameters, '$.setAsDefault') = 'true'))
  UNION ALL
  SELECT d.request_parameters ->> '$.policyArn', d.event_time, d.event_id
  FROM iam d JOIN iam v ON v.event_name = 'CreatePolicyVersion' AND v.error_code IS NULL
    AND v.request_parameters ->> '$.policyArn' = d.request_parameters ->> '$.policyArn'
    AND v.response_elements ->> '$.policyVersion.versionId' = d.request_parameters ->> '$.versionId'
  WHERE d.event_name = 'SetDefaultPolicyVersion' AND d.error_code IS NULL AND v.event_id IN (SELECT event_id FROM admin_documents)
),
grants AS (
  SELECT event_time, principal_arn, source_ip, event_name, event_id, error_code, artifact_key, artifact_sha256,
    coalesce(json_extract_string(request_parameters, '$.userName'), json_extract_string(request_parameters, '$.roleName'),
      json_extract_string(request_parameters, '$.groupName')) AS target,
    coalesce(json_extract_string(request_parameters, '$.policyArn'), json_extract_string(request_parameters, '$.policyName')) AS policy
  FROM iam
  WHERE list_contains(['AttachUserPolicy', 'AttachRolePolicy', 'AttachGroupPolicy', 'PutUserPolicy', 'PutRolePolicy', 'PutGroupPolicy'], event_name)
),
hits AS (
  -- AWS's AdministratorAccess, and inline policies that allow everything.
  SELECT g.*, NULL::VARCHAR AS policy_event_id FROM grants g
  WHERE (g.event_name LIKE 'Attach%' AND g.policy LIKE '%/AdministratorAccess')
    OR (g.event_name LIKE 'Put%' AND g.event_id IN (SELECT event_id FROM admin_documents))
  UNION ALL
  -- A customer-managed policy that allows everything, then attached.
  SELECT g.*, v.policy_event_id FROM grants g JOIN admin_versions v ON v.policy_arn = g.policy AND v.made_at <= g.event_time
  WHERE g.event_name LIKE 'Attach%'
  UNION ALL
  -- A policy attached, then given a version that allows everything: the grant is that version's.
  SELECT e.event_time, e.principal_arn, e.source_ip, e.event_name, e.event_id, e.error_code, e.artifact_key, e.artifact_sha256,
    g.target, v.policy_arn, v.policy_event_id
  FROM admin_versions v JOIN grants g ON g.policy = v.policy_arn AND g.event_time < v.made_at AND g.event_name LIKE 'Attach%' AND g.error_code IS NULL
  JOIN iam e ON e.event_id = v.policy_event_id
)
SELECT event_time AS time, principal_arn AS actor, source_ip, event_name AS action, target, policy,
  policy_event_id, error_code, event_id, artifact_key AS evidence_key, artifact_sha256 AS evidence_sha256
FROM hits
WHERE event_time >= $since AND event_time < $until
QUALIFY row_number() OVER (PARTITION BY event_id, target ORDER BY policy_event_id DESC NULLS LAST) = 1
ORDER BY time, event_id, target
