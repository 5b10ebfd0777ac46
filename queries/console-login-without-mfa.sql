-- id: console-login-without-mfa
-- title: Console sign-in without MFA
-- description: Successful ConsoleLogin events whose additionalEventData says MFAUsed No.
-- severity: medium
-- parameters: since:timestamp=1970-01-01T00:00:00Z until:timestamp=2999-12-31T23:59:59Z
-- attack: T1078.004
-- evidence: cloudtrail
SELECT event_time AS time, principal_arn AS actor, principal_type, source_ip, user_agent, event_name AS action,
  json_extract_string(additional_event_data, '$.LoginTo') AS login_to,
  event_id, artifact_key AS evidence_key, artifact_sha256 AS evidence_sha256
FROM cloudtrail_events
WHERE event_name = 'ConsoleLogin' AND event_time >= $since AND event_time < $until
  AND json_extract_string(response_elements, '$.ConsoleLogin') = 'Success'
  AND json_extract_string(additional_event_data, '$.MFAUsed') = 'No'
ORDER BY time, event_id
