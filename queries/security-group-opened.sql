-- id: security-group-opened
-- title: Security group opened to the internet
-- description: AuthorizeSecurityGroupIngress calls that allow a /0 range (IPv4 or IPv6).
-- severity: medium
-- parameters: since:timestamp=1970-01-01T00:00:00Z until:timestamp=2999-12-31T23:59:59Z
-- attack: T1562.007
-- evidence: cloudtrail
SELECT event_time AS time, principal_arn AS actor, source_ip, event_name AS action,
  json_extract_string(request_parameters, '$.groupId') AS target,
  json_extract_string(request_parameters, '$.fromPort') AS from_port, json_extract_string(request_parameters, '$.toPort') AS to_port,
  error_code, event_id, artifact_key AS evidence_key, artifact_sha256 AS evidence_sha256
FROM cloudtrail_events
WHERE event_source = 'ec2.amazonaws.com' AND event_name = 'AuthorizeSecurityGroupIngress' AND event_time >= $since AND event_time < $until
  AND regexp_matches(CAST(request_parameters AS VARCHAR), '/0"')
ORDER BY time, event_id
