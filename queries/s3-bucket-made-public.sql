-- id: s3-bucket-made-public
-- title: S3 bucket opened to the public
-- description: PutBucketPolicy with a "*" principal, PutBucketAcl granting AllUsers or AuthenticatedUsers, and public access blocks deleted or turned off.
-- severity: high
-- parameters: since:timestamp=1970-01-01T00:00:00Z until:timestamp=2999-12-31T23:59:59Z
-- attack: T1530
-- evidence: cloudtrail
SELECT event_time AS time, principal_arn AS actor, source_ip, event_name AS action,
  json_extract_string(request_parameters, '$.bucketName') AS target, error_code,
  event_id, artifact_key AS evidence_key, artifact_sha256 AS evidence_sha256
FROM cloudtrail_events
WHERE event_source = 's3.amazonaws.com' AND event_time >= $since AND event_time < $until AND (
  (event_name = 'PutBucketPolicy' AND regexp_matches(CAST(request_parameters AS VARCHAR), '"Principal"\s*:\s*(\{\s*"AWS"\s*:\s*)?"\*"'))
  OR (event_name = 'PutBucketAcl' AND regexp_matches(CAST(request_parameters AS VARCHAR), 'AllUsers|AuthenticatedUsers'))
  OR event_name = 'DeleteBucketPublicAccessBlock'
  OR (event_name = 'PutBucketPublicAccessBlock' AND regexp_matches(CAST(request_parameters AS VARCHAR), '"(BlockPublicPolicy|RestrictPublicBuckets|BlockPublicAcls|IgnorePublicAcls)"\s*:\s*false'))
)
ORDER BY time, event_id
