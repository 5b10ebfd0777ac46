import type {AwsClientFactory} from '../aws/client-factory.js'
import type {BaseContext} from '../core/context.js'
import type {RecordingContext} from '../evidence/context.js'
import type {EvidenceStore} from '../evidence/store.js'

/** The world a collector reaches: AWS and the evidence store, whether or not a run is open yet. */
export interface AwsEnv extends BaseContext {
  aws: AwsClientFactory
  store: EvidenceStore
}

/** Collectors and containment actions: the only work handed an AWS client factory. */
export interface AwsContext extends AwsEnv, RecordingContext {}
