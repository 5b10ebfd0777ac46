import {Flags} from '@oclif/core'
import type {z} from 'zod'
import {CoronerCommand, type Outcome} from '../../cli/base-command.js'
import {caseFlag} from '../../cli/case-flag.js'
import {awsFlags, resultOutputFlags, storeFlag} from '../../cli/flags.js'
import {evidencePullResult, verificationJson} from '../../cli/results/evidence.js'
import {cellText} from '../../cli/table.js'
import {ExitCode} from '../../core/errors.js'
import {formatBytes} from '../../core/progress.js'
import {assertCaseId} from '../../evidence/keys.js'
import {evidencePullStep} from '../../steps/evidence/pull.js'

type Result = z.output<typeof evidencePullResult>

export default class EvidencePull extends CoronerCommand<Result> {
  static override summary = 'Download a case into a local directory, checking every hash against the manifest'
  static override description =
    'Reads every artifact of the case by its recorded VersionId from the store (--store), checks its SHA-256 against the manifest and writes it read-only under the same key in DIR, which becomes a local evidence store of its own (verify, analyse and report work on it offline). Stops at the first object whose hash does not match, naming it (exit 3). The source is verified as `evidence verify` does (all but re-reading the bytes, hashed as they are copied) and so is the copy: a version laid over an object, a delete marker, an unlocked object, a broken journal or chain fails the pull (exit 3), naming it, though the evidence as first written is copied. Never overwrites: DIR must not already hold the case.'
  static override flags = {
    case: caseFlag,
    to: Flags.string({description: 'Directory to pull into (becomes a local store)', required: true}),
    ...storeFlag,
    ...awsFlags,
    ...resultOutputFlags,
  }
  static override resultSchema = evidencePullResult
  static override exitCodes = {[ExitCode.findings]: 'an object did not hash as its manifest records, or the copy does not verify'}
  static override examples = ['<%= config.bin %> evidence pull --case INC-2026-0042 --store s3://acme-ir-evidence --to ./INC-2026-0042']

  protected async execute(): Promise<Outcome<Result>> {
    const {flags} = await this.parse(EvidencePull)
    const caseId = assertCaseId(flags.case)
    const env = await this.context(flags, caseId)
    const {result: pulled} = await this.runStep(env, evidencePullStep, {to: flags.to})
    const {check, artifacts} = verificationJson(pulled.verification)
    const source = verificationJson(pulled.source)
    const result: Result = {
      caseId: pulled.caseId,
      from: pulled.from,
      to: pulled.to,
      runs: pulled.runs,
      objects: pulled.objects,
      bytes: pulled.bytes,
      notPulled: pulled.notPulled,
      source: source.check,
      sourceProblems: source.artifacts.filter((a) => a.status !== 'ok'),
      verification: check,
      problems: artifacts.filter((a) => a.status !== 'ok'),
      ok: pulled.ok,
    }
    const warnings = [
      ...pulled.source.warnings,
      ...pulled.verification.warnings,
      ...pulled.notPulled.map((k) => `${k} was not pulled: no manifest or journal names it (see \`coroner evidence verify\` on the source)`),
    ]
    return {result, warnings: [...new Set(warnings)], ...(result.ok ? {} : {exitCode: ExitCode.findings})}
  }

  protected render(r: Result): void {
    this.log(`Pulled case ${r.caseId} from ${cellText(r.from)} to ${cellText(r.to)}: ${r.runs} run(s), ${r.objects} object(s), ${formatBytes(r.bytes)}, every hash checked.`)
    for (const [where, v, bad] of [['source', r.source, r.sourceProblems], ['copy', r.verification, r.problems]] as const) {
      if (bad.length > 0) this.table(bad, [{key: 'status', priority: 1}, {key: 'key', kind: 'evidence', priority: 1}, {key: 'detail', priority: 2}])
      for (const i of v.issues.filter((x) => !bad.some((a) => a.key === x.key))) this.log(cellText(`PROBLEM (${where}) [${i.code}] ${i.message}`))
    }
    if (!r.source.ok) this.log(`The source does not verify (${r.source.issues.length} problem(s)): the evidence as first written was copied, but the store shows tampering; see above.`)
    this.log(r.verification.ok ? `The copy verifies: coroner evidence verify --case ${r.caseId} --store ${cellText(r.to)}` : 'The copy does not verify: see the problems above.')
  }
}
