import {readFileSync, readdirSync} from 'node:fs'
import path from 'node:path'
import {Config} from '@oclif/core'
import {describe, expect, it} from 'vitest'
import {commandSchemas} from '../../../src/cli/results/schemas.js'
import {coroner, repoRoot} from '../../support/cli.js'

const dir = path.join(repoRoot, 'docs', 'json', 'commands')

describe('the JSON Schemas of every command\'s --json output (docs/json/commands/)', () => {
  it('every command has one, and each file is what `npm run schemas` writes from the result schemas', async () => {
    const config = await Config.load(repoRoot)
    const schemas = await commandSchemas(config)
    const own = config.commands.filter((c) => c.pluginName === config.pjson.name && !config.commands.some((o) => o.aliases.includes(c.id)))
    expect(schemas.map((s) => s.command).sort()).toEqual(own.map((c) => c.id.replace(/:/g, ' ')).sort())
    for (const s of schemas) {
      const stored = JSON.parse(readFileSync(path.join(repoRoot, 'docs', 'json', s.file), 'utf8')) as unknown
      expect(stored, `${s.file} is stale: run npm run schemas`).toEqual(JSON.parse(JSON.stringify(s.schema)))
    }
    expect(readdirSync(dir).sort()).toEqual(schemas.map((s) => path.basename(s.file)).sort())
  })

  it('a result that does not fit its schema fails the command test that printed it', async () => {
    // coroner() checks every --json output: a list shaped like another command's is refused.
    const out = await coroner(['playbook', 'list', '--json'])
    const env = JSON.parse(out.stdout) as {result: {playbooks: unknown[]}}
    expect(env.result.playbooks.length).toBeGreaterThan(0)
    const {assertJsonOutput} = await import('../../support/json-schema.js')
    expect(() => assertJsonOutput(['playbook', 'list', '--json'], JSON.stringify({...env, result: env.result.playbooks}))).toThrow(/does not fit docs\/json\/commands\/playbook-list\.schema\.json/)
    expect(() => assertJsonOutput(['nosuch', '--json'], out.stdout)).toThrow(/not the error envelope/)
  })

  it('the offline commands\' --json fits, an unknown flag answers with the error envelope', async () => {
    for (const args of [['query', 'list'], ['playbook', 'steps'], ['playbook', 'show', 'lambda-triage'], ['playbook', 'validate'], ['permissions', '--readiness'], ['case', 'list', '--store', path.join(repoRoot, 'no-such-store')]]) {
      const out = await coroner([...args, '--json'])
      expect(JSON.parse(out.stdout), args.join(' ')).toHaveProperty('status')
    }
    const bad = await coroner(['query', 'list', '--no-such-flag', '--json'])
    expect(bad.error?.oclif?.exit).toBe(2)
    expect(JSON.parse(bad.stdout)).toMatchObject({status: 'error', error: {code: 'usage', message: expect.stringContaining('--no-such-flag')}})
  })
})
