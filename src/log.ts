/**
 * Structured log lines on stdout for journald: `level=info msg="source opened" source=span0`.
 * Logs are for state changes; per-frame problems are counters, never log lines.
 */
export type Level = 'debug' | 'info' | 'warn' | 'error';

export type Fields = Readonly<Record<string, string | number | boolean | undefined>>;

export interface Logger {
  log(level: Level, msg: string, fields?: Fields): void;
}

function quote(v: string): string {
  return /^[A-Za-z0-9._:/@+-]+$/.test(v) ? v : JSON.stringify(v);
}

export function formatLine(level: Level, msg: string, fields: Fields = {}): string {
  let line = `level=${level} msg=${quote(msg)}`;
  for (const [k, v] of Object.entries(fields)) if (v !== undefined) line += ` ${k}=${typeof v === 'string' ? quote(v) : String(v)}`;
  return line;
}

/** Writes to a stream (stdout by default); `quiet` keeps only warnings and errors. */
export class LineLogger implements Logger {
  constructor(
    private readonly out: NodeJS.WritableStream = process.stdout,
    private readonly quiet = false,
  ) {}

  log(level: Level, msg: string, fields?: Fields): void {
    if (this.quiet && (level === 'debug' || level === 'info')) return;
    if (level === 'debug' && process.env.IOMT_DEBUG === undefined) return;
    this.out.write(formatLine(level, msg, fields) + '\n');
  }
}
