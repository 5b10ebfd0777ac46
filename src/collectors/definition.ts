/**
 * What a collector declares about itself, so that `permissions` and `playbook plan` can say what a
 * run will call and need without calling anything.
 */
export interface CollectorDefinition {
  /** Stable id used by playbooks and the custody journal, e.g. `lambda`, `logs`, `cloudtrail-lookup`. */
  id: string
  title: string
  /** AWS operations it calls, as `service:Operation` (e.g. `lambda:GetFunction`). */
  operations: readonly string[]
  /** IAM actions it needs (read-only for every collector). */
  permissions: readonly string[]
  /** Artifact kinds it writes (docs/evidence-format.md). */
  produces: readonly string[]
}
