import {Flags} from '@oclif/core'
import type {z} from 'zod'
import {CoronerCommand, type Outcome} from '../../cli/base-command.js'
import {caseFlag} from '../../cli/case-flag.js'
import {awsFlags, rowOutputFlags, storeFlag} from '../../cli/flags.js'
import type {ListView} from '../../cli/output.js'
import type {Column} from '../../cli/table.js'
import {whole} from '../../cli/results/common.js'
import {artifactJson, evidenceListResult} from '../../cli/results/evidence.js'
import {usageError} from '../../core/errors.js'
import {listArtifacts} from '../../evidence/cases.js'
import {assertCaseId} from '../../evidence/keys.js'

type Result = z.output<typeof evidenceListResult>

/** The artifacts on the terminal: the key keeps its run id and file name, the hash enough digits to match. */
export const EVIDENCE_LIST_TABLE: Column[] = [
  {key: 'runId', header: 'run', kind: 'id', priority: 3},
  {key: 'kind', priority: 2},
  {key: 'size', kind: 'number', priority: 2},
  {key: 'sha256', kind: 'hash', priority: 1},
  {key: 'key', kind: 'evidence', priority: 1},
]

export default class EvidenceList extends CoronerCommand<Result> {
  static override summary = 'List the evidence objects of a case with their hashes'
  static override flags = {
    case: caseFlag,
    kind: Flags.string({description: 'Only artifacts of this kind (e.g. lambda.code, cloudtrail.records)'}),
    ...storeFlag,
    ...awsFlags,
    ...rowOutputFlags,
  }
  static override resultSchema = evidenceListResult
  static override examples = ['<%= config.bin %> evidence list --case INC-2026-0042', '<%= config.bin %> evidence list --case INC-2026-0042 --kind lambda.code --json']

  protected async execute(): Promise<Outcome<Result>> {
    const {flags} = await this.parse(EvidenceList)
    const caseId = assertCaseId(flags.case)
    const ctx = await this.context(flags, caseId)
    const all = await listArtifacts(ctx.store, caseId)
    if (all === undefined) throw usageError('unknown-case', `No case ${caseId} in ${ctx.store.location}.`, 'Run `coroner case list`, or check --store.')
    const artifacts = (flags.kind === undefined ? all : all.filter((a) => a.kind === flags.kind)).map((a) => ({runId: a.runId, ...artifactJson(a)}))
    return {result: {caseId, artifacts, ...whole(artifacts)}}
  }

  protected override list(r: Result): ListView {
    return {
      name: 'artifacts',
      rows: r.artifacts,
      columns: EVIDENCE_LIST_TABLE,
    }
  }

  protected render(r: Result): void {
    this.table(r.artifacts, this.list(r).columns)
  }
}
