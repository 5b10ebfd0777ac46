/** The source of time for everything coroner records, injectable so golden tests are stable. */
export interface Clock {
  now(): Date
}

export const systemClock: Clock = {now: () => new Date()}

/** A clock that starts at `start` and advances by `stepMs` on every read. */
export function fixedClock(start: Date | string, stepMs = 0): Clock {
  let t = new Date(start).getTime()
  return {
    now() {
      const d = new Date(t)
      t += stepMs
      return d
    },
  }
}
