import {readFileSync} from 'node:fs'
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import {describe, expect, it} from 'vitest'
import {SHIPPED_DIR, shippedPlaybookFiles} from '../../../src/playbooks/catalog.js'
import {PARAMETER_TYPES, playbookJsonSchemaText} from '../../../src/playbooks/schema.js'

const root = path.resolve(fileURLToPath(import.meta.url), '../../../..')

describe('playbooks/schema.json, generated from the zod schema', () => {
  it('is what src/playbooks/schema.ts generates (run `npm run playbook-schema` after changing the format)', () => {
    expect(readFileSync(path.join(root, 'playbooks', 'schema.json'), 'utf8')).toBe(playbookJsonSchemaText())
  })

  it('describes the format editors check: closed objects, the step fields, the parameter types', () => {
    const schema = JSON.parse(playbookJsonSchemaText()) as {additionalProperties: boolean; required: string[]; properties: Record<string, any>}
    expect(schema.additionalProperties).toBe(false)
    expect(schema.required).toEqual(expect.arrayContaining(['id', 'title', 'description', 'version', 'status', 'steps']))
    const step = schema.properties.steps.items
    expect(step.additionalProperties).toBe(false)
    expect(Object.keys(step.properties)).toEqual(['id', 'uses', 'title', 'with', 'when', 'needs', 'on-failure', 'outputs', 'max-resources'])
    expect(schema.properties.parameters.additionalProperties.properties.type.enum).toEqual([...PARAMETER_TYPES])
  })

  it('every shipped playbook points editors at it', () => {
    expect(SHIPPED_DIR).toBe(path.join(root, 'playbooks'))
    for (const f of shippedPlaybookFiles()) expect(readFileSync(f, 'utf8').split('\n')[0], f).toBe('# yaml-language-server: $schema=./schema.json')
  })
})
