-- id: guardduty-findings
-- title: GuardDuty finding preserved with the case
-- description: GuardDuty findings among the files added to the case, most severe first, each with the level GuardDuty
--   gives its score (9.0-10.0 critical, 7.0-8.9 high, 4.0-6.9 medium, 1.0-3.9 low).
-- severity: medium
-- evidence: guardduty
SELECT created_at AS time, severity AS score,
  CASE WHEN severity >= 9 THEN 'critical' WHEN severity >= 7 THEN 'high' WHEN severity >= 4 THEN 'medium' WHEN severity >= 1 THEN 'low' ELSE 'info' END AS severity,
  type, title, account_id, region, resource_type, finding_id,
  coalesce(raw->>'$.Resource.AccessKeyDetails.AccessKeyId', raw->>'$.resource.accessKeyDetails.accessKeyId') AS access_key_id,
  artifact_key AS evidence_key, artifact_sha256 AS evidence_sha256
FROM guardduty_findings
ORDER BY score DESC, time, evidence_key
