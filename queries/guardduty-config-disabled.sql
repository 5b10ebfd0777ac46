-- id: guardduty-config-disabled
-- title: GuardDuty, Config or Security Hub disabled
-- description: Calls that delete or pause detectors and recorders: GuardDuty DeleteDetector, UpdateDetector that disables, disassociation; Config recorder and delivery channel stops; Security Hub disabled.
-- severity: high
-- parameters: since:timestamp=1970-01-01T00:00:00Z until:timestamp=2999-12-31T23:59:59Z
-- attack: T1562.001
-- evidence: cloudtrail
SELECT event_time AS time, principal_arn AS actor, source_ip, event_source, event_name AS action,
  coalesce(json_extract_string(request_parameters, '$.detectorId'), json_extract_string(request_parameters, '$.configurationRecorderName'),
    json_extract_string(request_parameters, '$.deliveryChannelName')) AS target,
  CAST(request_parameters AS VARCHAR) AS request, error_code,
  event_id, artifact_key AS evidence_key, artifact_sha256 AS evidence_sha256
FROM cloudtrail_events
WHERE event_time >= $since AND event_time < $until AND (
  (event_source = 'guardduty.amazonaws.com' AND list_contains(['DeleteDetector', 'DisassociateFromMasterAccount', 'DisassociateFromAdministratorAccount',
      'StopMonitoringMembers', 'DeleteMembers', 'DisassociateMembers', 'CreateIPSet', 'UpdateIPSet', 'DeletePublishingDestination', 'UpdateDetector'], event_name))
  OR (event_source = 'config.amazonaws.com' AND list_contains(['StopConfigurationRecorder', 'DeleteConfigurationRecorder', 'DeleteDeliveryChannel', 'DeleteConfigRule'], event_name))
  OR (event_source = 'securityhub.amazonaws.com' AND list_contains(['DisableSecurityHub', 'BatchDisableStandards'], event_name))
)
  -- Apart, so that the calls above are chosen on their names before any request is read as JSON.
  AND (event_name <> 'UpdateDetector' OR json_extract_string(request_parameters, '$.enable') = 'false')
ORDER BY time, event_id
