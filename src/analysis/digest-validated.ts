import {readFile} from 'node:fs/promises'
import type {AnalysisDb} from './db.js'
import type {CaseInventory} from './inventory.js'

interface ValidationDoc {
  digests?: Array<{key?: unknown; status?: unknown}>
  logFiles?: Array<{digest?: unknown; status?: unknown; expectedSha256?: unknown}>
}

/**
 * Marks each CloudTrail delivery file the case's digest validation (`cloudtrail.validation`
 * artifacts) vouched for: `artifacts.digest_validated` is true when a digest whose signature held
 * lists the file's hash and the file matched it, false when a digest lists it but it did not hold
 * (altered, or its digest not valid), NULL when no digest covers it. `cloudtrail_events` shows it
 * on every record. Matched by the SHA-256 of the inflated file, which digests list.
 */
export async function markDigestValidated(db: AnalysisDb, inventory: CaseInventory): Promise<void> {
  const verdicts = new Map<string, boolean>()
  for (const a of inventory.artifacts) {
    if (a.kind !== 'cloudtrail.validation' || (a.state !== 'verified' && a.state !== 'damaged')) continue
    let doc: ValidationDoc
    try {
      doc = JSON.parse(await readFile(a.path, 'utf8')) as ValidationDoc
    } catch {
      continue
    }
    const validDigests = new Set((doc.digests ?? []).filter((d) => d.status === 'valid').map((d) => String(d.key)))
    for (const f of doc.logFiles ?? []) {
      if (typeof f.expectedSha256 !== 'string' || f.expectedSha256 === '') continue
      const held = f.status === 'ok' && validDigests.has(String(f.digest))
      verdicts.set(f.expectedSha256.toLowerCase(), (verdicts.get(f.expectedSha256.toLowerCase()) ?? false) || held)
    }
  }
  if (verdicts.size === 0) return
  for (const a of inventory.artifacts) {
    const sha = a.attributes?.uncompressedSha256
    if (a.kind !== 'cloudtrail.delivery-file' || typeof sha !== 'string' || !verdicts.has(sha.toLowerCase())) continue
    await db.run('UPDATE artifacts SET digest_validated = $v WHERE key = $key', {v: verdicts.get(sha.toLowerCase())!, key: a.key})
  }
}
