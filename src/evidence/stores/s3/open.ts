import {S3Client} from '@aws-sdk/client-s3'
import {AwsClientFactory} from '../../../aws/client-factory.js'
import type {ManifestSigner} from '../../signing.js'
import {S3EvidenceStore, parseS3Location} from './store.js'

/** How an S3 store writes: given by flags or the config file, ignored by the local store. */
export interface StoreWriteOptions {
  allowUnlocked?: boolean
  legalHold?: boolean
  kmsKey?: string
  lockMode?: 'COMPLIANCE' | 'GOVERNANCE'
  retainDays?: number
  /** Signs every manifest sealed into the store (any store, local too). */
  signer?: ManifestSigner
}

/** An S3 evidence store for `s3://bucket/prefix`, with its own client that follows region redirects. */
export function openS3Store(location: string, options: {aws?: AwsClientFactory} & StoreWriteOptions): S3EvidenceStore {
  const {bucket, prefix} = parseS3Location(location)
  const aws = options.aws ?? new AwsClientFactory()
  const client = new S3Client(aws.config(undefined, {followRegionRedirects: true}))
  return new S3EvidenceStore({
    client,
    bucket,
    prefix,
    ownsClient: true,
    ...(/^http:\/\//i.test(aws.options.endpointUrl ?? '') ? {plainHttp: true} : {}),
    ...(options.allowUnlocked === undefined ? {} : {allowUnlocked: options.allowUnlocked}),
    ...(options.legalHold === undefined ? {} : {legalHold: options.legalHold}),
    ...(options.kmsKey === undefined ? {} : {kmsKey: options.kmsKey}),
    ...(options.lockMode === undefined ? {} : {lockMode: options.lockMode}),
    ...(options.retainDays === undefined ? {} : {retainDays: options.retainDays}),
    ...(options.signer === undefined ? {} : {signer: options.signer}),
  })
}
