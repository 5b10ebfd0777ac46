import {codeDiffStep} from './analyse/code-diff.js'
import {codeLsStep} from './analyse/code-ls.js'
import {codeShowStep} from './analyse/code-show.js'
import {exportParquetStep} from './analyse/export-parquet.js'
import {findingsStep} from './analyse/findings.js'
import {huntStep} from './analyse/hunt.js'
import {loadStep} from './analyse/load.js'
import {queryStep} from './analyse/query.js'
import {timelineStep} from './analyse/timeline.js'
import {cloudtrailArchiveStep} from './collect/cloudtrail-archive.js'
import {cloudtrailDigestStep} from './collect/cloudtrail-digest.js'
import {cloudtrailImportStep} from './collect/cloudtrail-import.js'
import {cloudtrailLookupStep} from './collect/cloudtrail-lookup.js'
import {lambdaStep} from './collect/lambda.js'
import {lambdaImportStep} from './collect/lambda-import.js'
import {lambdaTargetsStep} from './collect/lambda-targets.js'
import {logsExportStep} from './collect/logs-export.js'
import {logsStep} from './collect/logs.js'
import {readinessStep} from './collect/readiness.js'
import {iamRoleStep} from './collect/role.js'
import {CONTAIN_STEPS} from './contain/actions.js'
import {undoStep} from './contain/undo.js'
import {evidenceAddStep} from './evidence/add.js'
import {evidenceHoldStep} from './evidence/hold.js'
import {evidencePullStep} from './evidence/pull.js'
import {evidenceVerifyStep} from './evidence/verify.js'
import {reportStep} from './report/report.js'
import type {AnyStep} from './step.js'

/** Every step coroner has: what commands and playbooks call, and what `plan` and `permissions` read. */
export const STEPS: readonly AnyStep[] = [
  lambdaStep,
  iamRoleStep,
  logsStep,
  logsExportStep,
  cloudtrailLookupStep,
  cloudtrailArchiveStep,
  cloudtrailDigestStep,
  cloudtrailImportStep,
  readinessStep,
  lambdaTargetsStep,
  lambdaImportStep,
  evidenceAddStep,
  evidenceVerifyStep,
  evidencePullStep,
  evidenceHoldStep,
  loadStep,
  queryStep,
  huntStep,
  timelineStep,
  exportParquetStep,
  codeLsStep,
  codeDiffStep,
  codeShowStep,
  findingsStep,
  reportStep,
  ...CONTAIN_STEPS,
  undoStep,
]

/** The step with this id, or undefined. */
export function findStep(id: string): AnyStep | undefined {
  return STEPS.find((s) => s.id === id)
}

/**
 * The collectors: collect steps that call AWS, each with the read-only actions it may need
 * (`permissions --collector`). The readiness audit is no collector of evidence: it has a flag of its own.
 */
export const COLLECTORS: readonly AnyStep[] = STEPS.filter((s) => s.kind === 'collect' && s.operations.length > 0 && s !== readinessStep)

/** The collectors for `ids`, in registry order; `all` for every one. */
export function collectorsById(ids: readonly string[]): AnyStep[] {
  return ids.includes('all') ? [...COLLECTORS] : COLLECTORS.filter((c) => ids.includes(c.id))
}
