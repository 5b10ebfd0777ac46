import {Flags} from '@oclif/core'
import type {z} from 'zod'
import {CoronerCommand, type Outcome} from '../../cli/base-command.js'
import {awsFlags, rowOutputFlags, storeFlag} from '../../cli/flags.js'
import type {ListView} from '../../cli/output.js'
import {verificationFacts} from '../../cli/render-verification.js'
import {whole} from '../../cli/results/common.js'
import {evidenceVerifyResult, verificationJson} from '../../cli/results/evidence.js'
import {cellText} from '../../cli/table.js'
import {verifyFlags, verifyParamsOf} from '../../cli/verify-flags.js'
import {ExitCode} from '../../core/errors.js'
import {assertCaseId} from '../../evidence/keys.js'
import {evidenceVerifyStep} from '../../steps/evidence/verify.js'

type Result = z.output<typeof evidenceVerifyResult>

export default class EvidenceVerify extends CoronerCommand<Result> {
  static override summary = 'Re-hash every artifact, walk the manifest chain, and name anything missing, altered or extra'
  static override description =
    'Reads every evidence object of a case back from the store, recomputes its SHA-256 and compares it with the manifest; reads each custody journal byte for byte along its hash chain and compares its artifact records (hash, size, VersionId) with the manifest\'s; checks each manifest\'s own digest, its signature, the chain of manifests across runs and that no run is missing; refuses links and changed permissions in a local store; checks every S3 version is the one first written and locked. With --expect (the case head every run prints), fails when runs were removed or replaced since; with --public-key, every signed manifest must verify with that key. Exits 3 when anything is wrong, naming each problem with its code (docs/evidence-format.md). The table lists the objects with problems (all of them with --all); --json lists every object checked.'
  static override flags = {
    case: Flags.string({char: 'c', description: 'Case id; every case in the store when omitted'}),
    all: Flags.boolean({description: 'List every object in the table, not only those with problems', default: false}),
    ...verifyFlags,
    ...storeFlag,
    ...awsFlags,
    ...rowOutputFlags,
  }
  static override resultSchema = evidenceVerifyResult
  static override exitCodes = {[ExitCode.findings]: 'something is missing, altered, extra, overlaid or unlocked, a chain or signature is broken, or the expected head is gone (each named with its code)'}
  static override examples = [
    '<%= config.bin %> evidence verify --case INC-2026-0042',
    '<%= config.bin %> evidence verify --case INC-2026-0042 --expect 3:9f86d081884c7d659a2feaa0c55ad015 --public-key signing.pub.pem',
    '<%= config.bin %> evidence verify --store s3://evidence-bucket --json',
  ]

  private showAll = false

  protected async execute(): Promise<Outcome<Result>> {
    const {flags} = await this.parse(EvidenceVerify)
    this.showAll = flags.all
    const caseId = flags.case === undefined ? undefined : assertCaseId(flags.case)
    const env = await this.context(flags, caseId)
    const {result} = await this.runStep(env, evidenceVerifyStep, {allCases: caseId === undefined, ...verifyParamsOf(flags)})
    const checked = result.cases.map(verificationJson)
    const artifacts = checked.flatMap((c) => c.artifacts)
    const warnings = result.cases.flatMap((c) => c.warnings.map((w) => (result.cases.length > 1 ? `case ${c.caseId}: ${w}` : w)))
    return {result: {ok: result.ok, cases: checked.map((c) => c.check), artifacts, ...whole(artifacts)}, warnings, ...(result.ok ? {} : {exitCode: ExitCode.findings})}
  }

  protected override list(r: Result): ListView {
    return {
      name: 'artifacts',
      rows: r.artifacts,
      columns: [
        {key: 'status', priority: 1},
        {key: 'caseId', header: 'case', priority: 4},
        {key: 'key', kind: 'evidence', priority: 1},
        {key: 'expectedSha256', header: 'expected sha256', kind: 'hash', priority: 2},
        {key: 'actualSha256', header: 'actual sha256', kind: 'hash', priority: 2},
        {key: 'detail', priority: 3},
      ],
    }
  }

  protected render(r: Result): void {
    for (const c of r.cases) {
      const objects = r.artifacts.filter((a) => a.caseId === c.caseId)
      const bad = objects.filter((a) => a.status !== 'ok')
      const shown = this.showAll ? objects : bad
      this.log(`Case ${c.caseId} in ${cellText(c.store)}: ${c.runs.length} run(s), ${objects.length} object(s), ${bad.length} with problems`)
      if (shown.length > 0) this.table(shown, this.list(r).columns.filter((col) => col.key !== 'caseId'))
      for (const run of c.runs) for (const p of run.problems) this.log(cellText(`PROBLEM run ${run.runId}: ${p}`))
      for (const p of c.problems) this.log(cellText(`PROBLEM ${p}`))
      for (const line of verificationFacts(c)) this.log(line)
      this.log(c.ok ? 'OK: every object matches its recorded SHA-256 and the chain is intact.' : `FAILED: ${c.issues.length} problem(s) (${[...new Set(c.issues.map((i) => i.code))].join(', ')}), see above.`)
    }
  }
}
