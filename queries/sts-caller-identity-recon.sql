-- id: sts-caller-identity-recon
-- title: Who-am-I calls (sts:GetCallerIdentity)
-- description: GetCallerIdentity calls: the first thing most tools do with freshly obtained credentials.
-- severity: low
-- parameters: since:timestamp=1970-01-01T00:00:00Z until:timestamp=2999-12-31T23:59:59Z
-- attack: T1033
-- evidence: cloudtrail
SELECT event_time AS time, principal_arn AS actor, principal_type, access_key_id, source_ip, user_agent, event_name AS action,
  event_id, artifact_key AS evidence_key, artifact_sha256 AS evidence_sha256
FROM cloudtrail_events
WHERE event_source = 'sts.amazonaws.com' AND event_name = 'GetCallerIdentity' AND event_time >= $since AND event_time < $until
ORDER BY time, event_id
