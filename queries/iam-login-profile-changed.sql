-- id: iam-login-profile-changed
-- title: Console password created or changed for an IAM user
-- description: CreateLoginProfile and UpdateLoginProfile: console access granted to a user, or a password reset by someone else.
-- severity: high
-- parameters: since:timestamp=1970-01-01T00:00:00Z until:timestamp=2999-12-31T23:59:59Z
-- attack: T1098
-- evidence: cloudtrail
SELECT event_time AS time, principal_arn AS actor, source_ip, event_name AS action,
  json_extract_string(request_parameters, '$.userName') AS target,
  json_extract_string(request_parameters, '$.passwordResetRequired') AS password_reset_required, error_code,
  event_id, artifact_key AS evidence_key, artifact_sha256 AS evidence_sha256
FROM cloudtrail_events
WHERE event_source = 'iam.amazonaws.com' AND list_contains(['CreateLoginProfile', 'UpdateLoginProfile'], event_name) AND event_time >= $since AND event_time < $until
ORDER BY time, event_id
