import {Flags} from '@oclif/core'
import {CoronerCommand, type Outcome} from '../../cli/base-command.js'
import {caseFlag} from '../../cli/case-flag.js'
import {renderTable} from '../../cli/table.js'
import {ExitCode} from '../../core/errors.js'
import {assertCaseId} from '../../evidence/keys.js'
import type {PullResult} from '../../evidence/pull.js'
import {evidencePullStep} from '../../steps/evidence/pull.js'

export default class EvidencePull extends CoronerCommand<PullResult> {
  static override summary = 'Download a case into a local directory, checking every hash against the manifest'
  static override description =
    'Reads every artifact of the case by its recorded VersionId from the store (--store), checks its SHA-256 against the manifest and writes it read-only under the same key in DIR, which becomes a local evidence store of its own (verify, analyse and report work on it offline). Stops at the first object whose hash does not match, naming it (exit 3). The source is verified as `evidence verify` does (all but re-reading the bytes, hashed as they are copied) and so is the copy: a version laid over an object, a delete marker, an unlocked object, a broken journal or chain fails the pull (exit 3), naming it, though the evidence as first written is copied. Never overwrites: DIR must not already hold the case.'
  static override flags = {
    case: caseFlag,
    to: Flags.string({description: 'Directory to pull into (becomes a local store)', required: true}),
  }
  static override examples = ['<%= config.bin %> evidence pull --case INC-2026-0042 --store s3://acme-ir-evidence --to ./INC-2026-0042']

  protected async execute(): Promise<Outcome<PullResult>> {
    const {flags} = await this.parse(EvidencePull)
    const caseId = assertCaseId(flags.case)
    const env = await this.context(flags, caseId)
    const {result} = await this.runStep(env, evidencePullStep, {to: flags.to})
    const warnings = [
      ...result.source.warnings,
      ...result.verification.warnings,
      ...result.notPulled.map((k) => `${k} was not pulled: no manifest or journal names it (see \`coroner evidence verify\` on the source)`),
    ]
    return {result, warnings: [...new Set(warnings)], ...(result.ok ? {} : {exitCode: ExitCode.findings})}
  }

  protected render(r: PullResult): void {
    this.log(`Pulled case ${r.caseId} from ${r.from} to ${r.to}: ${r.runs} run(s), ${r.objects} object(s), ${r.bytes} bytes, every hash checked.`)
    for (const [where, v] of [['source', r.source], ['copy', r.verification]] as const) {
      const bad = v.artifacts.filter((a) => a.status !== 'ok')
      if (bad.length > 0) this.log(renderTable(bad as unknown as Record<string, unknown>[], ['status', 'key', 'detail']))
      for (const i of v.issues.filter((x) => !bad.some((a) => a.key === x.key))) this.log(`PROBLEM (${where}) [${i.code}] ${i.message}`)
    }
    if (!r.source.ok) this.log(`The source does not verify (${r.source.issues.length} problem(s)): the evidence as first written was copied, but the store shows tampering; see above.`)
    this.log(r.verification.ok ? `The copy verifies: coroner evidence verify --case ${r.caseId} --store ${r.to}` : 'The copy does not verify: see the problems above.')
  }
}
