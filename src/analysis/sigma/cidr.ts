import {isIPv4, isIPv6} from 'node:net'
import type {SqlParam} from './rule.js'

export type ParsedCidr = {family: 4; first: number; last: number} | {family: 6; masks: number[]; network: number[]}

/** Parses `10.0.0.0/8` or `2001:db8::/32` (a bare address is a /32 or /128); undefined when malformed. */
export function parseCidr(text: string): ParsedCidr | undefined {
  const [address, bitsText, extra] = text.trim().split('/')
  if (address === undefined || extra !== undefined) return undefined
  if (isIPv4(address)) {
    const bits = bitsText === undefined ? 32 : strictInt(bitsText)
    if (bits === undefined || bits > 32) return undefined
    const value = address.split('.').reduce((acc, o) => acc * 256 + Number(o), 0)
    const size = 2 ** (32 - bits)
    const first = Math.floor(value / size) * size
    return {family: 4, first, last: first + size - 1}
  }
  if (isIPv6(address) && !address.includes('.')) {
    const bits = bitsText === undefined ? 128 : strictInt(bitsText)
    if (bits === undefined || bits > 128) return undefined
    const groups = expandIpv6(address)
    const masks = groups.map((_, i) => {
      const covered = Math.max(0, Math.min(16, bits - i * 16))
      return covered === 0 ? 0 : (0xffff << (16 - covered)) & 0xffff
    })
    return {family: 6, masks, network: groups.map((g, i) => g & masks[i]!)}
  }
  return undefined
}

function strictInt(s: string): number | undefined {
  return /^\d{1,3}$/.test(s) ? Number(s) : undefined
}

function expandIpv6(address: string): number[] {
  const [head, tail] = address.toLowerCase().split('::') as [string, string | undefined]
  const left = head === '' ? [] : head.split(':')
  const right = tail === undefined || tail === '' ? [] : tail.split(':')
  const middle = tail === undefined ? [] : Array<string>(8 - left.length - right.length).fill('0')
  return [...left, ...middle, ...right].map((g) => Number.parseInt(g, 16))
}

/**
 * A SQL boolean that is true when the text `value` is an address inside the network. DuckDB's
 * `inet` extension is not bundled, so addresses are parsed in plain SQL: IPv4 as four octets
 * folded into an integer and compared to the range; IPv6 by expanding `::` to eight 16-bit groups
 * and comparing the masked groups. IPv4-mapped IPv6 text (`::ffff:1.2.3.4`) does not match.
 * The network figures are bound parameters, after those of `value` (which comes first in the text).
 */
export function cidrMatchSql(value: {sql: string; params: SqlParam[]}, cidr: ParsedCidr): {sql: string; params: SqlParam[]} {
  if (cidr.family === 4) {
    const octet = (n: number): string => `try_cast(split_part(ip4, '.', ${n}) AS UTINYINT)::UBIGINT`
    const number = `((${octet(1)} * 256 + ${octet(2)}) * 256 + ${octet(3)}) * 256 + ${octet(4)}`
    return {
      sql: `coalesce(list_transform([${value.sql}], ip4 -> CASE WHEN regexp_full_match(ip4, '[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}') THEN (${number}) BETWEEN ? AND ? ELSE false END)[1], false)`,
      params: [...value.params, cidr.first, cidr.last],
    }
  }
  const half = (n: 1 | 2): string => `CASE WHEN split_part(ip6, '::', ${n}) = '' THEN []::VARCHAR[] ELSE string_split(split_part(ip6, '::', ${n}), ':') END`
  const groups = `CASE WHEN NOT contains(ip6, '::') THEN string_split(ip6, ':') WHEN len(string_split(ip6, '::')) = 2 THEN list_concat(${half(1)}, list_transform(range(greatest(0, 8 - len(${half(1)}) - len(${half(2)}))), z6 -> '0'), ${half(2)}) ELSE []::VARCHAR[] END`
  const tests: string[] = []
  const params: SqlParam[] = [...value.params]
  cidr.masks.forEach((mask, i) => {
    if (mask === 0) return
    tests.push(`(n6[${i + 1}] & ?) = ?`)
    params.push(mask, cidr.network[i]!)
  })
  const compare = tests.length === 0 ? 'true' : tests.join(' AND ')
  return {
    sql:
      `coalesce(list_transform([lower(${value.sql})], ip6 -> CASE WHEN regexp_full_match(ip6, '[0-9a-f:]+') AND contains(ip6, ':') THEN ` +
      `list_transform([${groups}], gs6 -> CASE WHEN len(gs6) = 8 AND list_bool_and(list_transform(gs6, g6 -> regexp_full_match(g6, '[0-9a-f]{1,4}'))) THEN ` +
      `list_transform([list_transform(gs6, g6 -> ('0x' || g6)::INTEGER)], n6 -> ${compare})[1] ELSE false END)[1] ELSE false END)[1], false)`,
    params,
  }
}
