import {Flags} from '@oclif/core'
import {CoronerCommand, type Outcome} from '../../cli/base-command.js'
import {renderTable} from '../../cli/table.js'
import {verificationFacts} from '../../cli/render-verification.js'
import {verifyFlags, verifyParamsOf} from '../../cli/verify-flags.js'
import {ExitCode} from '../../core/errors.js'
import {assertCaseId} from '../../evidence/keys.js'
import {evidenceVerifyStep, type VerifyResult} from '../../steps/evidence/verify.js'

export default class EvidenceVerify extends CoronerCommand<VerifyResult> {
  static override summary = 'Re-hash every artifact, walk the manifest chain, and name anything missing, altered or extra'
  static override description =
    'Reads every evidence object of a case back from the store, recomputes its SHA-256 and compares it with the manifest; reads each custody journal byte for byte along its hash chain and compares its artifact records (hash, size, VersionId) with the manifest\'s; checks each manifest\'s own digest, its signature, the chain of manifests across runs and that no run is missing; refuses links and changed permissions in a local store; checks every S3 version is the one first written and locked. With --expect (the case head every run prints), fails when runs were removed or replaced since; with --public-key, every signed manifest must verify with that key. Exits 3 when anything is wrong, naming each problem with its code (docs/evidence-format.md).'
  static override flags = {
    case: Flags.string({char: 'c', description: 'Case id; every case in the store when omitted'}),
    all: Flags.boolean({description: 'Show every artifact, not only the ones with problems', default: false}),
    ...verifyFlags,
  }
  static override examples = [
    '<%= config.bin %> evidence verify --case INC-2026-0042',
    '<%= config.bin %> evidence verify --case INC-2026-0042 --expect 3:9f86d081884c7d659a2feaa0c55ad015 --public-key signing.pub.pem',
    '<%= config.bin %> evidence verify --store s3://evidence-bucket --json',
  ]

  private showAll = false

  protected async execute(): Promise<Outcome<VerifyResult>> {
    const {flags} = await this.parse(EvidenceVerify)
    this.showAll = flags.all
    const caseId = flags.case === undefined ? undefined : assertCaseId(flags.case)
    const env = await this.context(flags, caseId)
    const {result} = await this.runStep(env, evidenceVerifyStep, {
      allCases: caseId === undefined,
      ...verifyParamsOf(flags),
    })
    return {result, warnings: result.cases.flatMap((c) => c.warnings), ...(result.ok ? {} : {exitCode: ExitCode.findings})}
  }

  protected render(r: VerifyResult): void {
    for (const c of r.cases) {
      const bad = c.artifacts.filter((a) => a.status !== 'ok')
      const shown = this.showAll ? c.artifacts : bad
      this.log(`Case ${c.caseId} in ${c.store}: ${c.runs.length} run(s), ${c.artifacts.length} object(s), ${bad.length} with problems`)
      if (shown.length > 0) this.log(renderTable(shown as unknown as Record<string, unknown>[], ['status', 'key', 'expectedSha256', 'actualSha256', 'detail']))
      for (const run of c.runs) for (const p of run.problems) this.log(`PROBLEM run ${run.runId}: ${p}`)
      for (const p of c.problems) this.log(`PROBLEM ${p}`)
      for (const line of verificationFacts(c)) this.log(line)
      this.log(c.ok ? 'OK: every object matches its recorded SHA-256 and the chain is intact.' : `FAILED: ${c.issues.length} problem(s) (${[...new Set(c.issues.map((i) => i.code))].join(', ')}), see above.`)
    }
  }
}
