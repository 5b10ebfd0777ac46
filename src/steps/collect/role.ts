import {z} from 'zod'
import {collectRole, iamRoleCollector} from '../../collectors/iam-role.js'
import {defineStep} from '../step.js'
import {declaredBy} from './declared.js'

const params = z.object({roles: z.array(z.string().min(1)).min(1).describe('Role names or ARNs')}).strict()

/** `collect role`: a read-only snapshot of IAM roles, their trust and permission policies. */
export const iamRoleStep = defineStep({
  ...declaredBy(iamRoleCollector),
  kind: 'collect',
  command: 'collect role',
  params,
  records: true,
  permissions: () => iamRoleCollector.permissions,
  usesAws: () => true,
  async run(ctx, p) {
    const roles = []
    for (const role of p.roles) {
      const {artifacts, ...collected} = await collectRole(ctx, role)
      roles.push({...collected, artifacts: artifacts.length})
    }
    return {roles}
  },
})
