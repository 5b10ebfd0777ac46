import type {CollectorDefinition} from '../../collectors/definition.js'

/** What a collect step takes from its collector's own declaration: id, title, AWS operations, artifact kinds. */
export const declaredBy = (c: CollectorDefinition) => ({id: c.id, title: c.title, operations: c.operations, produces: c.produces})
