import {constants, createHash, createPrivateKey, createPublicKey, sign, verify, type KeyObject} from 'node:crypto'
import {readFileSync} from 'node:fs'
import {usageError} from '../core/errors.js'

/** The object beside a signed manifest, `<run>/manifest.sig.json`. */
export const SIGNATURE_NAME = 'manifest.sig.json'
export const SIGNATURE_SCHEMA = 'coroner.manifest-signature/v1'

/** How a manifest is signed: a local Ed25519 key, or the algorithms of AWS KMS asymmetric signing keys. */
export const SIGNING_ALGORITHMS = [
  'ED25519',
  'ECDSA_SHA_256',
  'ECDSA_SHA_384',
  'ECDSA_SHA_512',
  'RSASSA_PSS_SHA_256',
  'RSASSA_PSS_SHA_384',
  'RSASSA_PSS_SHA_512',
  'RSASSA_PKCS1_V1_5_SHA_256',
  'RSASSA_PKCS1_V1_5_SHA_384',
  'RSASSA_PKCS1_V1_5_SHA_512',
] as const
export type SigningAlgorithm = (typeof SIGNING_ALGORITHMS)[number]

/** Who signs: the key's id (a KMS key ARN, or `ed25519:<fingerprint>`), its algorithm and public key. */
export interface SignerIdentity {
  keyId: string
  algorithm: SigningAlgorithm
  /** The public key, SubjectPublicKeyInfo in PEM. */
  publicKey: string
  /** SHA-256 (hex) of the public key's DER bytes: the fingerprint a responder records. */
  publicKeySha256: string
}

/**
 * Signs sealed manifests. The message signed is always the 32 bytes of the manifest's SHA-256, so
 * a key that never leaves KMS signs a manifest of any size, and anyone holding the public key can
 * check it with standard tools (docs/evidence-format.md).
 */
export interface ManifestSigner {
  /** The signer's identity, read once before the first manifest is written (the manifest names its key). */
  identity(): Promise<SignerIdentity>
  sign(message: Uint8Array): Promise<Uint8Array>
}

/** What the signature object holds. */
export interface ManifestSignature extends SignerIdentity {
  schema: typeof SIGNATURE_SCHEMA
  caseId: string
  runId: string
  manifestKey: string
  manifestSha256: string
  /** The signature, base64. */
  signature: string
  signedAt: string
}

/** The fingerprint of a public key: SHA-256 of its SubjectPublicKeyInfo DER bytes. */
export const keyFingerprint = (key: KeyObject): string => createHash('sha256').update(key.export({type: 'spki', format: 'der'})).digest('hex')

const pem = (key: KeyObject): string => key.export({type: 'spki', format: 'pem'}).toString()

/** A signer holding an Ed25519 private key in this process (`--sign-key FILE`, PKCS#8 PEM). */
export function localEd25519Signer(privateKey: KeyObject): ManifestSigner {
  if (privateKey.asymmetricKeyType !== 'ed25519') {
    throw usageError('invalid-signing-key', `A local signing key must be Ed25519; this one is ${privateKey.asymmetricKeyType ?? 'of no known type'}.`, 'Make one with `openssl genpkey -algorithm ed25519 -out coroner-signing.pem`, or sign with --sign-kms-key.')
  }
  const publicKey = createPublicKey(privateKey)
  const fingerprint = keyFingerprint(publicKey)
  const identity: SignerIdentity = {keyId: `ed25519:${fingerprint}`, algorithm: 'ED25519', publicKey: pem(publicKey), publicKeySha256: fingerprint}
  return {identity: async () => identity, sign: async (message) => sign(null, message, privateKey)}
}

/** The Ed25519 signer of a private key file, with an error naming the file when it holds none. */
export function signerFromKeyFile(file: string): ManifestSigner {
  let key: KeyObject
  try {
    key = createPrivateKey(readFileSync(file))
  } catch (error) {
    throw usageError('invalid-signing-key', `${file} does not hold a private key (${(error as Error).message.split('\n')[0]}).`, 'Give a PKCS#8 PEM Ed25519 key: `openssl genpkey -algorithm ed25519 -out coroner-signing.pem`.')
  }
  return localEd25519Signer(key)
}

/** A public key from PEM or DER bytes (a file written by openssl, or `aws kms get-public-key`'s decoded output). */
export function parsePublicKey(bytes: Buffer | string, source: string): KeyObject {
  const b = typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : bytes
  try {
    return b.includes('-----BEGIN') ? createPublicKey(b) : createPublicKey({key: b, format: 'der', type: 'spki'})
  } catch (error) {
    throw usageError('invalid-public-key', `${source} is not a public key in PEM or DER (${(error as Error).message.split('\n')[0]}).`, 'Give the SubjectPublicKeyInfo the signing key exports: `openssl pkey -pubout`, or `aws kms get-public-key` decoded from base64.')
  }
}

const HASHES: Record<string, string> = {SHA_256: 'sha256', SHA_384: 'sha384', SHA_512: 'sha512'}

/**
 * Checks one signature of `message` with a public key alone. The key must be of the algorithm's
 * kind; PSS accepts any salt length (KMS uses the hash length, other tools the maximum).
 */
export function signatureHolds(algorithm: string, key: KeyObject, message: Uint8Array, signature: Uint8Array): boolean {
  try {
    if (algorithm === 'ED25519') return key.asymmetricKeyType === 'ed25519' && verify(null, message, key, signature)
    const m = /^(ECDSA|RSASSA_PSS|RSASSA_PKCS1_V1_5)_(SHA_(?:256|384|512))$/.exec(algorithm)
    if (!m) return false
    const hash = HASHES[m[2]!]!
    if (m[1] === 'ECDSA') return key.asymmetricKeyType === 'ec' && verify(hash, message, key, signature)
    if (key.asymmetricKeyType !== 'rsa' && key.asymmetricKeyType !== 'rsa-pss') return false
    const padding = m[1] === 'RSASSA_PSS' ? {padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_AUTO} : {padding: constants.RSA_PKCS1_PADDING}
    return verify(hash, message, {key, ...padding}, signature)
  } catch {
    return false
  }
}

/** The message a manifest's signature covers: the 32 bytes of its SHA-256. */
export const signedMessage = (manifestSha256: string): Buffer => Buffer.from(manifestSha256, 'hex')
