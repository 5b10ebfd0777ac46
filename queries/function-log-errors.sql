-- id: function-log-errors
-- title: Errors, timeouts and crashes in function logs
-- description: Log lines of Lambda functions that report an error, an unhandled exception, a timeout or a runtime exit: a crash can be the trace of an exploit attempt.
-- severity: low
-- parameters: since:timestamp=1970-01-01T00:00:00Z until:timestamp=2999-12-31T23:59:59Z function:string=
-- attack: T1190
-- evidence: logs
SELECT time, function_name AS function, request_id, log_stream,
  CASE WHEN message LIKE '%Task timed out%' THEN 'timeout'
       WHEN regexp_matches(message, 'Runtime exited|Runtime.ExitError|Process exited before completing') THEN 'runtime-exit'
       WHEN regexp_matches(message, 'Runtime\.[A-Za-z]+Error|Unhandled|uncaughtException') THEN 'unhandled'
       ELSE 'error' END AS kind,
  left(message, 2000) AS message, artifact_key AS evidence_key, artifact_sha256 AS evidence_sha256
FROM log_events
WHERE time >= $since AND time < $until
  AND ($function IS NULL OR function_name = $function)
  AND regexp_matches(message, '(\tERROR\t|\[ERROR\]|"level"\s*:\s*"ERROR"|Task timed out|Runtime exited|Runtime\.ExitError|Runtime\.[A-Za-z]+Error|Process exited before completing|Unhandled|uncaughtException)')
ORDER BY time, function, evidence_key
