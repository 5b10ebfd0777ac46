import {z} from 'zod'
import {usageError} from '../../core/errors.js'
import {listCases} from '../../evidence/cases.js'
import {verifyCase, type CaseVerification} from '../../evidence/verify.js'
import {defineStep} from '../step.js'
import {OFFLINE} from '../analyse/offline.js'
import {readPublicKey, verifyParams} from './verify-params.js'

const params = z
  .object({
    allCases: z.boolean().default(false).describe('Every case in the store, not only the case worked on'),
    ...verifyParams,
  })
  .strict()

export interface VerifyResult {
  ok: boolean
  cases: CaseVerification[]
}

/** `evidence verify`: every artifact re-hashed, every journal's chain and the chain of manifests walked. */
export const evidenceVerifyStep = defineStep({
  id: 'evidence-verify',
  kind: 'evidence',
  title: 'Re-hash every artifact of a case, walk its journals and manifest chain, name anything missing, altered or extra',
  command: 'evidence verify',
  params,
  ...OFFLINE,
  async run(ctx, p): Promise<VerifyResult> {
    if (!p.allCases && ctx.caseId === undefined) throw usageError('no-case', 'Say which case to verify: --case X (or every case).')
    if (p.allCases && p.expect !== undefined) throw usageError('no-case', 'A case head belongs to one case: give --case with --expect.')
    const publicKey = readPublicKey(p.publicKey)
    const ids = p.allCases ? (await listCases(ctx.store)).map((c) => c.caseId) : [ctx.caseId!]
    if (ids.length === 0) throw usageError('no-cases', `No cases in ${ctx.store.location}.`, 'Check --store.')
    const cases: CaseVerification[] = []
    for (const id of ids) {
      const task = ctx.progress.task(`verifying ${id}`)
      const v = await verifyCase(ctx.store, id, {
        openRun: id === ctx.caseId ? ctx.openRun : undefined,
        progress: task,
        signal: ctx.signal,
        ...(p.expect === undefined ? {} : {expect: p.expect}),
        ...(publicKey === undefined ? {} : {publicKey}),
      }).finally(() => task.done())
      if (!p.allCases && v.runs.length === 0) throw usageError('unknown-case', `No case ${id} in ${ctx.store.location}.`, 'Run `coroner case list`, or check --store.')
      cases.push(v)
    }
    return {ok: cases.every((c) => c.ok), cases}
  },
  // What verify names wrong is a finding (exit 3), as the command says.
  assess: (r) => ({findings: r.cases.reduce((n, c) => n + c.issues.length, 0)}),
})
