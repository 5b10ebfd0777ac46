import {codeDiffStep} from './analyse/code-diff.js'
import {codeLsStep} from './analyse/code-ls.js'
import {codeShowStep} from './analyse/code-show.js'
import {findingsStep} from './analyse/findings.js'
import {loadStep} from './analyse/load.js'
import {lambdaStep} from './collect/lambda.js'
import {readinessStep} from './collect/readiness.js'
import {iamRoleStep} from './collect/role.js'
import {CONTAIN_STEPS} from './contain/actions.js'
import {undoStep} from './contain/undo.js'
import {reportStep} from './report/report.js'
import type {AnyStep} from './step.js'

/** Every step coroner has: what commands and playbooks call, and what `plan` and `permissions` read. */
export const STEPS: readonly AnyStep[] = [lambdaStep, iamRoleStep, readinessStep, loadStep, codeLsStep, codeDiffStep, codeShowStep, ...CONTAIN_STEPS, undoStep, findingsStep, reportStep]

/** The step with this id, or undefined. */
export function findStep(id: string): AnyStep | undefined {
  return STEPS.find((s) => s.id === id)
}
