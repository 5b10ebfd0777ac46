import {Flags} from '@oclif/core'

/**
 * The flags every command shares, in three help groups: where evidence is (STORE), how AWS is
 * reached (AWS: only on commands that call it), and how the result is printed (OUTPUT). A command
 * spreads the groups it uses, so an offline command lists no AWS flag.
 */

export const storeFlag = {
  store: Flags.string({
    description: 'Evidence store: a directory, or s3://bucket/prefix. Default: $CORONER_STORE, store: in coroner.yaml, else ./coroner-cases.',
    helpGroup: 'STORE',
  }),
}

export const awsFlags = {
  profile: Flags.string({description: 'AWS profile (as in the AWS CLI).', helpGroup: 'AWS', env: 'AWS_PROFILE'}),
  region: Flags.string({description: 'AWS region. Default: region: in coroner.yaml, else the SDK\'s ($AWS_REGION, the profile).', helpGroup: 'AWS'}),
  'endpoint-url': Flags.string({description: 'Send AWS calls to this endpoint (an emulator or a VPC endpoint).', helpGroup: 'AWS'}),
}

export const secretsFlag = {
  'show-secrets': Flags.boolean({description: 'Show secret values (Lambda environment variables) instead of [redacted:NAME].', helpGroup: 'OUTPUT', default: false}),
}

export const OUTPUT_FORMATS = ['table', 'json', 'ndjson', 'csv'] as const
export type OutputFormat = (typeof OUTPUT_FORMATS)[number]

/** Rows a terminal table shows unless --limit says otherwise (the machine formats carry every row). */
export const DEFAULT_TABLE_ROWS = 100

const json = Flags.boolean({description: 'Print the JSON envelope {status, result, warnings}: the same as --output json.', helpGroup: 'OUTPUT'})

/** OUTPUT flags of a command that prints rows: every format, the table's columns and width, and the row limit. */
export const rowOutputFlags = {
  output: Flags.string({description: 'table (for people; the default), json (the envelope), ndjson (one JSON object per row) or csv.', options: [...OUTPUT_FORMATS], helpGroup: 'OUTPUT'}),
  json,
  ndjson: Flags.boolean({description: 'The same as --output ndjson.', helpGroup: 'OUTPUT'}),
  csv: Flags.boolean({description: 'The same as --output csv (spreadsheet formulas neutralised).', helpGroup: 'OUTPUT'}),
  limit: Flags.integer({
    description: `At most this many rows; 0 for all. Default: ${DEFAULT_TABLE_ROWS} in a table, every row with --json, --ndjson and --csv (which say truncated: true and the total when cut).`,
    min: 0,
    helpGroup: 'OUTPUT',
  }),
  columns: Flags.string({description: "The table's columns, by header, comma-separated, in this order.", helpGroup: 'OUTPUT'}),
  wide: Flags.boolean({description: 'Every column of the table, nothing cut, hashes in full.', helpGroup: 'OUTPUT'}),
}

/** OUTPUT flags of a command whose result is not rows: text for people, or the JSON envelope. */
export const resultOutputFlags = {
  output: Flags.string({description: 'table (text for people; the default) or json (the envelope).', options: ['table', 'json'], helpGroup: 'OUTPUT'}),
  json,
}

/** The output flags' values, as a command parsed them. */
export interface OutputFlagValues {
  output?: string | undefined
  json?: boolean | undefined
  ndjson?: boolean | undefined
  csv?: boolean | undefined
  limit?: number | undefined
  columns?: string | undefined
  wide?: boolean | undefined
}
