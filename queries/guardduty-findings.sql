-- id: guardduty-findings
-- title: GuardDuty findings preserved with the case
-- description: GuardDuty findings among the files added to the case, most severe first.
-- severity: info
-- evidence: findings
SELECT created_at AS time, severity AS score, type, title, account_id, region, resource_type, finding_id,
  artifact_key AS evidence_key, artifact_sha256 AS evidence_sha256
FROM findings
ORDER BY score DESC, time, evidence_key
