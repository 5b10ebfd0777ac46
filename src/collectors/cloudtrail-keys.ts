import {createHash, createPublicKey, type KeyObject} from 'node:crypto'
import {readFile} from 'node:fs/promises'
import {usageError} from '../core/errors.js'

/** A public key CloudTrail signs digests with, from ListPublicKeys or a file given offline. */
export interface DigestPublicKey {
  fingerprint: string
  key: KeyObject
  source: string
}

/** Reads a public key file: PEM (`RSA PUBLIC KEY` or `PUBLIC KEY`), DER (PKCS#1 or SPKI), or base64 DER. */
export function loadPublicKeyFile(bytes: Buffer, source: string): DigestPublicKey {
  const text = bytes.toString('utf8')
  let key: KeyObject | undefined
  if (text.includes('-----BEGIN')) key = tryKey(() => createPublicKey(text))
  else {
    const der = /^[A-Za-z0-9+/=\s]+$/.test(text) ? Buffer.from(text, 'base64') : bytes
    key = tryKey(() => createPublicKey({key: der, format: 'der', type: 'pkcs1'})) ?? tryKey(() => createPublicKey({key: der, format: 'der', type: 'spki'}))
  }
  if (!key || key.asymmetricKeyType !== 'rsa') {
    throw usageError('invalid-public-key', `${source} is not an RSA public key.`, 'Give the key as PEM or DER (PKCS#1 as ListPublicKeys returns it, or SPKI).')
  }
  return {fingerprint: keyFingerprint(key), key, source}
}

/**
 * A fingerprint for a key given offline: hex MD5 of its PKCS#1 DER form, 32 hex digits like the
 * fingerprints CloudTrail publishes. How CloudTrail derives its own is not documented, so a key that
 * matches no digest's fingerprint is still tried (see validateDigests).
 */
export function keyFingerprint(key: KeyObject): string {
  return createHash('md5').update(key.export({type: 'pkcs1', format: 'der'})).digest('hex')
}

/** The key `make` builds, or undefined when the bytes are not such a key. */
export function tryKey(make: () => KeyObject): KeyObject | undefined {
  try {
    return make()
  } catch {
    return undefined
  }
}

/**
 * Reads a `--signatures` file: a JSON object from digest (archive key, `AWSLogs/…` path or file
 * name) to its hex signature, or to `{"signature": "…"}`, for folders copied without S3 metadata.
 */
export function parseSignaturesFile(text: string, source: string): Record<string, string> {
  let doc: unknown
  try {
    doc = JSON.parse(text)
  } catch (error) {
    throw usageError('invalid-signatures', `${source} is not valid JSON: ${(error as Error).message}`, 'Give a JSON object: {"AWSLogs/…/digest.json.gz": "<hex signature>"}.')
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw usageError('invalid-signatures', `${source} must hold a JSON object.`)
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(doc)) {
    const sig = typeof v === 'string' ? v : typeof v === 'object' && v !== null && typeof (v as {signature?: unknown}).signature === 'string' ? (v as {signature: string}).signature : undefined
    if (sig === undefined) throw usageError('invalid-signatures', `${source}: the entry for ${JSON.stringify(k)} is neither a hex string nor {"signature": "…"}.`)
    out[k] = sig
  }
  return out
}

/** Loads `--public-key` files and a `--signatures` file named on the command line. */
export async function loadValidationInputs(publicKeyFiles: readonly string[] = [], signaturesFile?: string): Promise<{publicKeys?: DigestPublicKey[]; signatures?: Record<string, string>}> {
  const read = (file: string): Promise<Buffer> =>
    readFile(file).catch(() => {
      throw usageError('file-not-found', `Cannot read ${file}.`, 'Check the path.')
    })
  const publicKeys: DigestPublicKey[] = []
  for (const f of publicKeyFiles) publicKeys.push(loadPublicKeyFile(await read(f), f))
  return {
    ...(publicKeys.length > 0 ? {publicKeys} : {}),
    ...(signaturesFile === undefined ? {} : {signatures: parseSignaturesFile((await read(signaturesFile)).toString('utf8'), signaturesFile)}),
  }
}
