-- id: snapshot-or-image-shared
-- title: Snapshot or machine image shared with another account
-- description: ModifySnapshotAttribute, ModifyImageAttribute and ModifyDBSnapshotAttribute calls that add a permission for another account or for everyone: data copied out of the account.
-- severity: high
-- parameters: since:timestamp=1970-01-01T00:00:00Z until:timestamp=2999-12-31T23:59:59Z
-- attack: T1537
-- evidence: cloudtrail
SELECT event_time AS time, principal_arn AS actor, source_ip, event_name AS action,
  coalesce(json_extract_string(request_parameters, '$.snapshotId'), json_extract_string(request_parameters, '$.imageId'),
    json_extract_string(request_parameters, '$.dBSnapshotIdentifier')) AS target,
  coalesce(CAST(json_extract(request_parameters, '$.createVolumePermission.add') AS VARCHAR),
    CAST(json_extract(request_parameters, '$.launchPermission.add') AS VARCHAR),
    CAST(json_extract(request_parameters, '$.valuesToAdd') AS VARCHAR)) AS shared_with,
  error_code, event_id, artifact_key AS evidence_key, artifact_sha256 AS evidence_sha256
FROM cloudtrail_events
WHERE event_time >= $since AND event_time < $until AND (
  (event_name = 'ModifySnapshotAttribute' AND json_extract(request_parameters, '$.createVolumePermission.add') IS NOT NULL)
  OR (event_name = 'ModifyImageAttribute' AND json_extract(request_parameters, '$.launchPermission.add') IS NOT NULL)
  OR (list_contains(['ModifyDBSnapshotAttribute', 'ModifyDBClusterSnapshotAttribute'], event_name) AND json_extract(request_parameters, '$.valuesToAdd') IS NOT NULL)
)
ORDER BY time, event_id
