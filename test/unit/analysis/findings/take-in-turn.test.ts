import {describe, expect, it} from 'vitest'
import {takeInTurn} from '../../../../src/analysis/findings/candidates.js'

describe('takeInTurn', () => {
  it("keeps every actor's first rows before anyone's later ones, in the order given", () => {
    const actors = [...Array<string>(10).fill('busy'), 'rare', 'some', 'some', 'some']
    expect(takeInTurn(actors, 6)).toEqual({positions: [0, 1, 2, 10, 11, 12], share: 3, cutActors: 2})
  })

  it('keeps every row at or under the limit, and the first actors when there are more actors than the limit', () => {
    expect(takeInTurn(['a', 'b', 'a'], 3)).toEqual({positions: [0, 1, 2], share: 2, cutActors: 0})
    expect(takeInTurn(['a', 'a', 'b', 'c', null], 2)).toEqual({positions: [0, 2], share: 1, cutActors: 3})
  })
})
