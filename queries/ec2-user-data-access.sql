-- id: ec2-user-data-access
-- title: EC2 instance user data read or replaced
-- description: DescribeInstanceAttribute for userData (user data often holds secrets) and ModifyInstanceAttribute setting userData (code run at the next boot).
-- severity: medium
-- parameters: since:timestamp=1970-01-01T00:00:00Z until:timestamp=2999-12-31T23:59:59Z
-- attack: T1552.005, T1059
-- evidence: cloudtrail
SELECT event_time AS time, principal_arn AS actor, source_ip, event_name AS action,
  json_extract_string(request_parameters, '$.instanceId') AS target, error_code,
  event_id, artifact_key AS evidence_key, artifact_sha256 AS evidence_sha256
FROM cloudtrail_events
WHERE event_source = 'ec2.amazonaws.com' AND event_time >= $since AND event_time < $until AND (
  (event_name = 'DescribeInstanceAttribute' AND json_extract_string(request_parameters, '$.attribute') = 'userData')
  OR (event_name = 'ModifyInstanceAttribute' AND json_extract(request_parameters, '$.userData') IS NOT NULL)
)
ORDER BY time, event_id
