/** The outcome of one item of a pooled map: its value, or the error it failed with. */
export type Settled<R> = {ok: true; value: R} | {ok: false; error: unknown}

/**
 * Maps `items` through `work` with at most `limit` in flight. One failure never cancels the
 * others: every item settles, in input order. Items not yet started when `signal` aborts are
 * settled with the abort reason.
 */
export async function mapPool<T, R>(
  items: Iterable<T>,
  limit: number,
  work: (item: T, index: number) => Promise<R>,
  signal?: AbortSignal,
): Promise<Array<Settled<R>>> {
  const list = [...items]
  const results: Array<Settled<R>> = new Array(list.length)
  // The work below never throws, so the pool runs every item however many fail.
  await forEachBounded(list.entries(), Math.max(1, limit), undefined, async ([i, item]) => {
    if (signal?.aborted) {
      results[i] = {ok: false, error: signal.reason}
      return
    }
    try {
      results[i] = {ok: true, value: await work(item, i)}
    } catch (error) {
      results[i] = {ok: false, error}
    }
  })
  return results
}

/**
 * The one bounded pool: runs `work` over a stream of items with at most `limit` in flight, pulling
 * items only as slots free up. The first failure stops pulling and is rethrown once the items in
 * flight have settled; an abort stops pulling and is not a failure.
 */
export async function forEachBounded<T>(items: AsyncIterable<T> | Iterable<T>, limit: number, signal: AbortSignal | undefined, work: (item: T) => Promise<void>): Promise<void> {
  const running = new Set<Promise<void>>()
  let failure: {error: unknown} | undefined
  for await (const item of items) {
    if (signal?.aborted || failure) break
    const p: Promise<void> = work(item)
      .catch((error: unknown) => {
        // Work cut short by the abort is not a failure: the run ends incomplete.
        if (!signal?.aborted) failure ??= {error}
      })
      .finally(() => running.delete(p))
    running.add(p)
    if (running.size >= limit) await Promise.race(running)
  }
  await Promise.all(running)
  if (failure) throw failure.error
}
