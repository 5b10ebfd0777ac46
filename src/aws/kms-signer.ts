import {createHash, createPublicKey} from 'node:crypto'
import {GetPublicKeyCommand, KMSClient, SignCommand, type SigningAlgorithmSpec} from '@aws-sdk/client-kms'
import {CoronerError} from '../core/errors.js'
import type {AwsClientFactory} from './client-factory.js'

type KmsAlgorithm = Extract<SigningAlgorithmSpec, 'ECDSA_SHA_256' | 'ECDSA_SHA_384' | 'ECDSA_SHA_512' | 'RSASSA_PSS_SHA_256'>

/** The signing algorithm coroner uses for each KMS asymmetric key spec: ECDSA for EC keys, RSASSA-PSS for RSA. */
const ALGORITHM_OF: Record<string, KmsAlgorithm> = {
  ECC_NIST_P256: 'ECDSA_SHA_256',
  ECC_SECG_P256K1: 'ECDSA_SHA_256',
  ECC_NIST_P384: 'ECDSA_SHA_384',
  ECC_NIST_P521: 'ECDSA_SHA_512',
  RSA_2048: 'RSASSA_PSS_SHA_256',
  RSA_3072: 'RSASSA_PSS_SHA_256',
  RSA_4096: 'RSASSA_PSS_SHA_256',
}

/** A signer's identity, as the evidence layer reads it (evidence/signing.ts, SignerIdentity). */
export interface KmsSignerIdentity {
  keyId: string
  algorithm: KmsAlgorithm
  publicKey: string
  publicKeySha256: string
}

/**
 * Signs manifests with an AWS KMS asymmetric key (SIGN_VERIFY): the private key never leaves KMS.
 * The public key is read once (GetPublicKey) and kept with every signature, so the signature can
 * be checked years later with that public key alone, without AWS. The message is sent RAW (the 32
 * bytes of the manifest's SHA-256, which KMS hashes once more under the algorithm).
 */
export function kmsSigner(aws: AwsClientFactory, keyId: string): {identity(): Promise<KmsSignerIdentity>; sign(message: Uint8Array): Promise<Uint8Array>} {
  const client = (): KMSClient => aws.client(KMSClient, regionOf(keyId))
  let identity: Promise<KmsSignerIdentity> | undefined
  const read = async (): Promise<KmsSignerIdentity> => {
    const out = await client().send(new GetPublicKeyCommand({KeyId: keyId}))
    // KeySpec, or the name it had before (which some emulators still answer with alone).
    const spec = out.KeySpec ?? out.CustomerMasterKeySpec
    const algorithm = spec === undefined ? undefined : ALGORITHM_OF[spec]
    if (out.KeyUsage !== 'SIGN_VERIFY' || algorithm === undefined || out.PublicKey === undefined || !(out.SigningAlgorithms ?? []).includes(algorithm)) {
      throw new CoronerError('invalid-signing-key', `KMS key ${keyId} cannot sign manifests: its usage is ${out.KeyUsage ?? '?'}, its spec ${spec ?? '?'}.`, {
        hint: 'Use an asymmetric KMS key with key usage SIGN_VERIFY, spec ECC_NIST_P256/P384/P521 or RSA_2048/3072/4096 (aws kms create-key --key-usage SIGN_VERIFY --key-spec ECC_NIST_P256).',
      })
    }
    const der = Buffer.from(out.PublicKey)
    const publicKey = createPublicKey({key: der, format: 'der', type: 'spki'}).export({type: 'spki', format: 'pem'}).toString()
    // The key's ARN names it for good; an alias or bare id given is kept when KMS answers with no ARN.
    return {keyId: out.KeyId?.startsWith('arn:') ? out.KeyId : keyId, algorithm, publicKey, publicKeySha256: createHash('sha256').update(der).digest('hex')}
  }
  return {
    identity: () => (identity ??= read()),
    async sign(message) {
      const {keyId: arn, algorithm} = await (identity ??= read())
      const out = await client().send(new SignCommand({KeyId: arn, Message: message, MessageType: 'RAW', SigningAlgorithm: algorithm}))
      if (out.Signature === undefined) throw new CoronerError('internal', `KMS returned no signature for key ${arn}.`)
      return out.Signature
    },
  }
}

/** The region in a key ARN (`arn:aws:kms:REGION:…`), so a key of another region than the default is still reached. */
const regionOf = (keyId: string): string | undefined => /^arn:[^:]+:kms:([^:]+):/.exec(keyId)?.[1]
