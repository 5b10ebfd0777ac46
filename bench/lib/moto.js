// A moto_server of the benchmark's own (started on a free port, stopped at the end) and what the
// S3 benchmarks need around it: buckets, and many objects put in parallel so seeding is quick.
import {spawn} from 'node:child_process'
import {readFile} from 'node:fs/promises'
import path from 'node:path'
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true'
import {CreateBucketCommand, PutObjectCommand, PutObjectLockConfigurationCommand, S3Client} from '@aws-sdk/client-s3'

/** Dummy credentials for moto, for the SDK and for the AWS CLI alike. */
export const CREDENTIALS = {accessKeyId: 'testing', secretAccessKey: 'testing'}

/** `{endpoint, stop()}`: a moto_server on 127.0.0.1 and a free port, ready to answer. */
export async function startMoto() {
  const child = spawn('moto_server', ['-H', '127.0.0.1', '-p', '0'], {stdio: ['ignore', 'ignore', 'pipe']})
  const endpoint = await new Promise((resolve, reject) => {
    let buffered = ''
    const timer = setTimeout(() => reject(new Error(`moto_server did not start:\n${buffered}`)), 30_000)
    child.stderr.on('data', (chunk) => {
      buffered += chunk.toString()
      const m = /Running on (http:\/\/127\.0\.0\.1:\d+)/.exec(buffered)
      if (m) {
        clearTimeout(timer)
        resolve(m[1])
      }
    })
    child.on('exit', (code) => reject(new Error(`moto_server exited with ${code}:\n${buffered}`)))
  })
  child.stderr.resume()
  for (let i = 0; i < 100; i++) {
    if (await fetch(`${endpoint}/moto-api/data.json`).then((r) => r.ok, () => false)) break
    await new Promise((r) => setTimeout(r, 100))
  }
  const stop = async () => {
    if (child.pid === undefined || child.exitCode !== null) return
    process.kill(child.pid, 'SIGTERM')
    await new Promise((r) => child.once('exit', r))
  }
  return {endpoint, stop}
}

/** An SDK client for moto (path style, dummy keys, no retries). */
export const motoS3 = (endpoint) => new S3Client({endpoint, forcePathStyle: true, region: 'us-east-1', credentials: CREDENTIALS, maxAttempts: 1})

/** The environment the AWS CLI and coroner read: moto's endpoint, dummy keys, no profile. */
export const motoEnv = (endpoint) => ({
  AWS_ENDPOINT_URL: endpoint,
  AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
  AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
  AWS_DEFAULT_REGION: 'us-east-1',
  AWS_REGION: 'us-east-1',
  AWS_EC2_METADATA_DISABLED: 'true',
})

/** A plain bucket, or with `locked` an evidence bucket (Object Lock, GOVERNANCE retention of a day). */
export async function createBucket(client, bucket, {locked = false} = {}) {
  await client.send(new CreateBucketCommand({Bucket: bucket, ...(locked ? {ObjectLockEnabledForBucket: true} : {})}))
  if (locked) await client.send(new PutObjectLockConfigurationCommand({Bucket: bucket, ObjectLockConfiguration: {ObjectLockEnabled: 'Enabled', Rule: {DefaultRetention: {Mode: 'GOVERNANCE', Days: 1}}}}))
}

/** Puts the files of `dir` (paths relative to it, `/`-separated) under `prefix` of `bucket`, `concurrency` at once. */
export async function uploadFiles(client, bucket, prefix, dir, files, concurrency = 32) {
  let next = 0
  const worker = async () => {
    while (next < files.length) {
      const rel = files[next++]
      await client.send(new PutObjectCommand({Bucket: bucket, Key: `${prefix}${rel}`, Body: await readFile(path.join(dir, rel))}))
    }
  }
  await Promise.all(Array.from({length: concurrency}, worker))
}
