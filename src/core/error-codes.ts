import {ExitCode, type ExitCodeValue} from './exit-codes.js'

/**
 * Every error code coroner reports (`error.code` in the `--json` envelope, `Error [code]` on the
 * terminal), with the exit code it ends with and what it means. A closed list: a code thrown
 * anywhere is one of these (the compiler checks it), and docs/errors.md lists them all.
 */
export const ERROR_CATALOGUE = {
  // 1: a bug, or a failure coroner cannot name
  internal: {exit: ExitCode.internal, meaning: 'an unexpected failure (a bug: please report it)'},
  'download-failed': {exit: ExitCode.internal, meaning: 'a code package could not be downloaded from the URL Lambda gave'},
  'evidence-exists': {exit: ExitCode.internal, meaning: 'an evidence key was written twice; evidence is never overwritten'},
  'hash-mismatch': {exit: ExitCode.internal, meaning: 'bytes did not hash to what they were expected to; nothing was stored'},
  'journal-closed': {exit: ExitCode.internal, meaning: 'a line was appended to a custody journal after its run was sealed'},
  'access-key-not-listed': {exit: ExitCode.internal, meaning: 'an access key to deactivate is not among its user\'s keys'},
  'load-failed': {exit: ExitCode.internal, meaning: 'the case database could not be built'},
  // 2: usage
  'archive-not-found': {exit: ExitCode.usage, meaning: 'the CloudTrail archive folder does not exist'},
  'browser-missing': {exit: ExitCode.usage, meaning: 'a PDF report needs Chromium and none was found'},
  'bucket-not-locked': {exit: ExitCode.usage, meaning: 'the evidence bucket has no Object Lock (give --allow-unlocked, or run evidence init)'},
  'case-not-loaded': {exit: ExitCode.usage, meaning: 'the case database is missing or has no events table'},
  'empty-window': {exit: ExitCode.usage, meaning: 'the time window ends before it starts'},
  'export-not-a-directory': {exit: ExitCode.usage, meaning: 'the export target is a file'},
  'export-not-empty': {exit: ExitCode.usage, meaning: 'the export target directory is not empty'},
  'file-not-found': {exit: ExitCode.usage, meaning: 'a file or folder named on the command line does not exist'},
  'fs-eacces': {exit: ExitCode.usage, meaning: 'permission denied on a local path'},
  'fs-enoent': {exit: ExitCode.usage, meaning: 'a local path does not exist'},
  'fs-erofs': {exit: ExitCode.usage, meaning: 'the file system is read-only'},
  'invalid-archive': {exit: ExitCode.usage, meaning: 'an archive location is not s3://bucket/prefix'},
  'invalid-case-id': {exit: ExitCode.usage, meaning: 'a case id has characters a key cannot hold'},
  'invalid-config': {exit: ExitCode.usage, meaning: 'coroner.yaml is not valid'},
  'invalid-flag': {exit: ExitCode.usage, meaning: 'a flag value is not valid'},
  'invalid-param': {exit: ExitCode.usage, meaning: 'a query parameter value is not of its declared type'},
  'invalid-parameters': {exit: ExitCode.usage, meaning: "a step's parameters (from the command line) do not fit its schema"},
  'invalid-public-key': {exit: ExitCode.usage, meaning: 'a --public-key file is not an RSA public key'},
  'invalid-rate': {exit: ExitCode.usage, meaning: '--rate is not a positive number'},
  'invalid-signatures': {exit: ExitCode.usage, meaning: 'a --signatures file is not a JSON map of signatures'},
  'invalid-slice': {exit: ExitCode.usage, meaning: '--slice is not a duration of a minute or more'},
  'invalid-store': {exit: ExitCode.usage, meaning: 'an S3 store location is not valid'},
  'invalid-time': {exit: ExitCode.usage, meaning: 'a time is neither ISO 8601 nor a duration'},
  'invalid-window': {exit: ExitCode.usage, meaning: '--since is after --until'},
  'missing-param': {exit: ExitCode.usage, meaning: 'a query parameter without a default was not given'},
  'missing-window': {exit: ExitCode.usage, meaning: 'the time window was not given'},
  'no-case': {exit: ExitCode.usage, meaning: 'the work needs a case: give --case'},
  'no-case-db': {exit: ExitCode.usage, meaning: 'there is no case database yet'},
  'no-cases': {exit: ExitCode.usage, meaning: 'the store holds no case'},
  'no-legal-hold': {exit: ExitCode.usage, meaning: 'the store has no legal holds (only S3 Object Lock buckets do)'},
  'no-log-group': {exit: ExitCode.usage, meaning: 'no function or log group was named'},
  'no-retention': {exit: ExitCode.usage, meaning: 'the bucket has Object Lock but no retention to write with'},
  'no-run': {exit: ExitCode.usage, meaning: 'a step that records evidence was called outside an evidence run'},
  'no-such-bucket': {exit: ExitCode.usage, meaning: 'the evidence bucket does not exist'},
  'not-a-file': {exit: ExitCode.usage, meaning: 'a path named as a file is a folder'},
  'not-a-trail-archive': {exit: ExitCode.usage, meaning: 'the folder holds no AWSLogs/ to validate'},
  'not-an-s3-store': {exit: ExitCode.usage, meaning: 'the store is local: it needs no IAM permissions'},
  'nothing-to-resume': {exit: ExitCode.usage, meaning: '--resume found no earlier run to continue'},
  'pull-target-exists': {exit: ExitCode.usage, meaning: 'the pull target already holds the case'},
  'query-name': {exit: ExitCode.usage, meaning: 'neither or both of a query name and --sql were given'},
  'resume-mismatch': {exit: ExitCode.usage, meaning: '--resume was given another window or filters than the run it continues'},
  'rules-not-found': {exit: ExitCode.usage, meaning: 'a --rules path holds no Sigma rule'},
  'sql-error': {exit: ExitCode.usage, meaning: 'DuckDB refused the SQL given with --sql'},
  'sql-not-a-query': {exit: ExitCode.usage, meaning: '--sql is not a read-only query'},
  'sql-statements': {exit: ExitCode.usage, meaning: '--sql holds more than one statement'},
  'store-not-local': {exit: ExitCode.usage, meaning: 'the analysis reads a local store: pull the case first'},
  'unknown-case': {exit: ExitCode.usage, meaning: 'the store holds no such case'},
  'unknown-command': {exit: ExitCode.usage, meaning: 'no command or topic has that name (the nearest is suggested)'},
  'unknown-param': {exit: ExitCode.usage, meaning: 'a parameter the query does not declare was given'},
  'unknown-query': {exit: ExitCode.usage, meaning: 'no named query has that name'},
  'unknown-store': {exit: ExitCode.usage, meaning: 'the store location is neither a folder nor s3://'},
  'unsafe-key': {exit: ExitCode.usage, meaning: 'a key or path would leave its folder'},
  'ambiguous-function': {exit: ExitCode.usage, meaning: 'a function name matches code packages of several functions: give the ARN'},
  'confirmation-needed': {exit: ExitCode.usage, meaning: 'a change needs confirmation: give --yes, or answer on a terminal'},
  'entry-unreadable': {exit: ExitCode.usage, meaning: 'a code package entry cannot be read (encrypted, a directory, or past a cap)'},
  'invalid-run-id': {exit: ExitCode.usage, meaning: 'a run id is not of the form coroner writes'},
  'no-code': {exit: ExitCode.usage, meaning: 'the case database holds no code package for that function'},
  'no-findings-table': {exit: ExitCode.usage, meaning: 'the case database has no findings table: load it again'},
  'no-targets': {exit: ExitCode.usage, meaning: 'a containment action was given nothing to act on'},
  'not-confirmed': {exit: ExitCode.usage, meaning: 'a change was not confirmed'},
  'nothing-to-undo': {exit: ExitCode.usage, meaning: 'the run named holds no containment record to undo'},
  'too-many-resources': {exit: ExitCode.usage, meaning: 'a containment action would touch more resources than --max-resources allows'},
  'unknown-action': {exit: ExitCode.usage, meaning: 'no containment action has that id'},
  'unknown-path': {exit: ExitCode.usage, meaning: 'a code package has no entry at that path'},
  'unknown-run': {exit: ExitCode.usage, meaning: 'the case holds no run with that id'},
  'unknown-version': {exit: ExitCode.usage, meaning: 'the case database holds no code of that function version'},
  'invalid-playbook-parameters': {exit: ExitCode.usage, meaning: "a playbook's --param is unknown, missing or not of its type"},
  'no-function-matched': {exit: ExitCode.usage, meaning: "a playbook's targets (names, tags, *) matched no function"},
  'not-a-playbook-run': {exit: ExitCode.usage, meaning: 'the run given to --resume was no playbook run'},
  'unknown-playbook': {exit: ExitCode.usage, meaning: 'no shipped playbook has that id'},
  'unknown-step': {exit: ExitCode.usage, meaning: 'no registered step has that id'},
  usage: {exit: ExitCode.usage, meaning: 'a flag or argument is missing or not valid (as the command line parser says)'},
  // 3: findings
  'checksum-mismatch': {exit: ExitCode.findings, meaning: 'S3 holds other bytes than coroner sent for an object'},
  'evidence-altered': {exit: ExitCode.findings, meaning: 'evidence read for analysis does not hash as recorded'},
  'evidence-missing': {exit: ExitCode.findings, meaning: 'an evidence object the manifest lists is not in the store'},
  'manifest-unreadable': {exit: ExitCode.findings, meaning: 'a manifest is not a JSON manifest: it was altered or damaged'},
  'pull-hash-mismatch': {exit: ExitCode.findings, meaning: 'an object read for a pull does not hash as its manifest records'},
  'journal-broken': {exit: ExitCode.findings, meaning: 'a custody journal a resume reads breaks its hash chain'},
  'pull-key-outside-run': {exit: ExitCode.findings, meaning: "a manifest or journal lists a key outside its run's prefix"},
  // 4: invalid playbook, query, rule or input file
  'invalid-playbook': {exit: ExitCode.invalidInput, meaning: 'a playbook is not valid (playbook validate lists every issue)'},
  'invalid-query': {exit: ExitCode.invalidInput, meaning: 'a named query file is not valid'},
  'unknown-record': {exit: ExitCode.invalidInput, meaning: 'a containment record is of no action this version knows'},
  'invalid-rule': {exit: ExitCode.invalidInput, meaning: 'a Sigma rule is not valid'},
  'invalid-step-parameters': {exit: ExitCode.invalidInput, meaning: "a step's parameters (a playbook's with:) do not fit its schema"},
  // A CloudTrail file that cannot be read: recorded as a gap of the same code, its bytes kept.
  'invalid-json': {exit: ExitCode.invalidInput, meaning: 'a CloudTrail file is not valid JSON'},
  'record-without-eventTime': {exit: ExitCode.invalidInput, meaning: 'a CloudTrail delivery file holds a record without eventTime'},
  'too-large': {exit: ExitCode.invalidInput, meaning: 'a CloudTrail file inflates beyond what can be read'},
  'truncated-gzip': {exit: ExitCode.invalidInput, meaning: 'a gzip file is truncated or corrupt'},
  'unknown-shape': {exit: ExitCode.invalidInput, meaning: 'a CloudTrail file is of no shape coroner reads'},
  // A Sigma rule coroner cannot compile, as `sigma compile` names it (the same codes as the issues `sigma check` lists).
  'invalid-condition': {exit: ExitCode.invalidInput, meaning: "a Sigma rule's condition cannot be read"},
  'invalid-modifier': {exit: ExitCode.invalidInput, meaning: 'a Sigma modifier is misused'},
  'invalid-selection': {exit: ExitCode.invalidInput, meaning: 'a Sigma selection is neither a map nor a list of them'},
  'invalid-value': {exit: ExitCode.invalidInput, meaning: 'a Sigma value does not fit its modifier'},
  'unknown-identifier': {exit: ExitCode.invalidInput, meaning: 'a Sigma condition names a selection the rule does not have'},
  'unsupported-aggregation': {exit: ExitCode.invalidInput, meaning: 'a Sigma rule aggregates across events, which a per-event hunt cannot run'},
  'unsupported-field': {exit: ExitCode.invalidInput, meaning: 'a Sigma field name cannot be mapped to a CloudTrail path'},
  'unsupported-keyword-modifier': {exit: ExitCode.invalidInput, meaning: 'a Sigma keyword search uses a modifier coroner does not run'},
  'unsupported-logsource': {exit: ExitCode.invalidInput, meaning: 'a Sigma rule is for another log source than aws/cloudtrail'},
  'unsupported-modifier': {exit: ExitCode.invalidInput, meaning: 'a Sigma modifier coroner does not run'},
  'unsupported-near': {exit: ExitCode.invalidInput, meaning: "a Sigma rule uses 'near', a correlation across events"},
  'unsupported-placeholder': {exit: ExitCode.invalidInput, meaning: 'a Sigma rule uses placeholders'},
  'unsupported-quantifier': {exit: ExitCode.invalidInput, meaning: "a Sigma condition uses a quantifier other than '1 of' or 'all of'"},
  'unsupported-regex': {exit: ExitCode.invalidInput, meaning: 'a Sigma regular expression DuckDB cannot run'},
  'unsupported-timeframe': {exit: ExitCode.invalidInput, meaning: 'a Sigma rule uses a timeframe, a correlation across events'},
  // 5: AWS credentials, permissions or reachability
  'aws-access': {exit: ExitCode.awsAccess, meaning: 'AWS refused the request (credentials or permissions)'},
  'aws-unreachable': {exit: ExitCode.awsAccess, meaning: 'AWS (or the --endpoint-url) could not be reached'},
  // 6: partial
  'fs-enospc': {exit: ExitCode.partial, meaning: 'the disk is full: what was written stands, the rest is missing'},
} as const satisfies Record<string, {exit: ExitCodeValue; meaning: string}>

export type ErrorCode = keyof typeof ERROR_CATALOGUE

/** The codes a malformed CloudTrail input is named by, as error and as gap. */
export type MalformedInputCode = Extract<ErrorCode, 'truncated-gzip' | 'too-large' | 'invalid-json' | 'unknown-shape' | 'record-without-eventTime'>

/** The codes a Sigma rule that cannot be compiled is named by. */
export type SigmaErrorCode = Extract<ErrorCode, `invalid-${'condition' | 'modifier' | 'selection' | 'value'}` | 'unknown-identifier' | `unsupported-${string}`>

/** The codes that end with exit 2, for `usageError`. */
export type UsageErrorCode = {[K in ErrorCode]: (typeof ERROR_CATALOGUE)[K]['exit'] extends typeof ExitCode.usage ? K : never}[ErrorCode]
