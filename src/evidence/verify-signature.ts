import type {KeyObject} from 'node:crypto'
import type {IndexedRun} from './case-index.js'
import type {Manifest} from './manifest.js'
import {SIGNATURE_NAME, SIGNATURE_SCHEMA, keyFingerprint, parsePublicKey, signatureHolds, signedMessage, type ManifestSignature} from './signing.js'
import {readObject, type EvidenceStore} from './store.js'
import type {IssueLog, RunCheck} from './verify-issues.js'
import {live, readableObject} from './verify-objects.js'

/**
 * A sealed run's signature, beside its manifest. It must cover the manifest as first written (its
 * SHA-256), name the key the manifest names, and verify with the public key alone: the one given
 * (what a third party holds), else the one stored with it (a check of integrity, not of origin,
 * which verify says). Returns the fingerprint of the key whose signature holds.
 */
export async function checkSignature(
  store: EvidenceStore,
  run: IndexedRun,
  sealed: {manifest: Manifest; sha256: string},
  ctx: {log: IssueLog; publicKey?: KeyObject},
  check: RunCheck,
): Promise<string | undefined> {
  const {log} = ctx
  const key = `${run.prefix}${SIGNATURE_NAME}`
  const declared = sealed.manifest.signing
  const state = live(run.objects.get(key))
  if (state.overlaid) log.run(run.runId, 'overlaid', `signature ${key}: ${state.overlaid}`, key)
  if (!state.present) {
    if (declared) log.run(run.runId, 'signature-missing', `run ${run.runId}'s manifest names signing key ${declared.keyId}, but its signature ${key} is missing`, key)
    return undefined
  }
  if (!readableObject(log, run, key, state, 'signature')) return undefined
  const bad = (message: string): undefined => void log.run(run.runId, 'signature-invalid', `signature of run ${run.runId}: ${message}`, key)
  let sig: ManifestSignature
  try {
    sig = JSON.parse((await readObject(store, key, state.target?.versionId)).toString('utf8')) as ManifestSignature
  } catch {
    return bad(`${key} is not a signature record (not JSON)`)
  }
  if (sig?.schema !== SIGNATURE_SCHEMA || typeof sig.signature !== 'string') return bad(`${key} is not a ${SIGNATURE_SCHEMA} record`)
  if (sig.manifestSha256 !== sealed.sha256) return bad(`it covers a manifest hashing to ${String(sig.manifestSha256)}, but the manifest as first written hashes to ${sealed.sha256}`)
  if (sig.runId !== run.runId || sig.manifestKey !== run.manifestKey) return bad(`it names run ${String(sig.runId)} and manifest ${String(sig.manifestKey)}`)
  if (declared && (declared.publicKeySha256 !== sig.publicKeySha256 || declared.algorithm !== sig.algorithm)) return bad(`it was made with key ${String(sig.publicKeySha256)} (${String(sig.algorithm)}), the manifest names ${declared.publicKeySha256} (${declared.algorithm})`)
  let verifyWith = ctx.publicKey
  if (verifyWith === undefined) {
    try {
      verifyWith = parsePublicKey(String(sig.publicKey), key)
    } catch {
      return bad('the public key stored with it is not a public key')
    }
    if (keyFingerprint(verifyWith) !== sig.publicKeySha256) return bad('the public key stored with it does not have the fingerprint it names')
    log.warn(`signatures were checked against the public key stored beside them (fingerprint ${sig.publicKeySha256}): give --public-key to check them against the key you hold`)
  } else if (keyFingerprint(verifyWith) !== sig.publicKeySha256) {
    log.run(run.runId, 'signature-wrong-key', `signature of run ${run.runId} was made with key ${String(sig.keyId)} (fingerprint ${String(sig.publicKeySha256)}), not the key given (fingerprint ${keyFingerprint(verifyWith)})`, key)
    return undefined
  }
  if (!signatureHolds(sig.algorithm, verifyWith, signedMessage(sealed.sha256), Buffer.from(sig.signature, 'base64'))) return bad(`the ${String(sig.algorithm)} signature does not verify with the public key: the manifest or the signature was changed`)
  check.signature = {keyId: String(sig.keyId), publicKeySha256: sig.publicKeySha256, checkedWith: ctx.publicKey === undefined ? 'stored-key' : 'given-key'}
  return sig.publicKeySha256
}
