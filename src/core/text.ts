/**
 * Control characters, line separators and the bidirectional formatting characters (which reorder
 * what follows them on screen, so `evil\u202Etxt.exe` would read as `evilexe.txt`) shown as `\uXXXX`:
 * text an attacker wrote, made safe to print or store for printing.
 */
export function escapeControls(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u001F\u007F-\u009F\u061C\u200E\u200F\u2028-\u202E\u2066-\u2069]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`)
}

/** Text cut to `max` characters, saying how long it was when cut. */
export function cutText(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max)}… (${s.length} chars)`
}

/** What a secret is shown as: `[redacted:NAME]`, NAME the environment variable's, made safe to print. */
export const redactedAs = (name: string): string => `[redacted:${name.replace(/[^\w.-]/g, '_')}]`
