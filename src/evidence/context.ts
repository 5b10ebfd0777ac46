import type {BaseContext} from '../core/context.js'
import type {GapLog} from './gap-log.js'
import type {EvidenceRun} from './run.js'
import type {EvidenceStore} from './store.js'

/** Work over the evidence store: verify, pull, load, query, report. */
export interface StoreContext extends BaseContext {
  store: EvidenceStore
  /** The case worked on; undefined only for work over a whole store (verify of every case). */
  caseId: string | undefined
  /**
   * The run this work is part of, when it is called inside one (a playbook's): that run is still
   * open, so a verification made from inside it checks it against its journal so far.
   */
  openRun?: string
  /** False when no store was named (flag, $CORONER_STORE, config) and the default is in use. */
  storeNamed?: boolean
}

/** Work that records into an evidence run of the case: every artifact it writes and every gap it meets. */
export interface RecordingContext extends StoreContext {
  caseId: string
  run: EvidenceRun
  gaps: GapLog
}
