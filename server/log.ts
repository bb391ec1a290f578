/**
 * The server's own log, and the logging extension's settings over it (GET/POST /v2/logging, gRPC
 * LogSettings). Lines go where they always went (information to the `log` callback the CLI prints,
 * errors to stderr); the settings decide which are written and how:
 *
 *   log_info, log_warning, log_error   write that level's lines (all true at start)
 *   log_verbose_level                  0: none; 1: one line per inference request (model, version,
 *                                      id, outcome, duration); higher levels add nothing more yet
 *   log_format                         "default": lines as they are; "ISO8601": each line prefixed
 *                                      with its UTC time, level letter and process id, as Triton's
 *   log_file                           "" (the console); it cannot be changed over the API, as in Triton
 */
import { InvalidRequestError } from './errors.ts';

export const LOG_FORMATS = ['default', 'ISO8601'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

export interface LogSettings {
  log_file: string;
  log_info: boolean;
  log_warning: boolean;
  log_error: boolean;
  log_verbose_level: number;
  log_format: LogFormat;
}

type Level = 'I' | 'W' | 'E' | 'V';

export interface LogSinks {
  /** Information and verbose lines (the CLI prints them on stdout). */
  info: (line: string) => void;
  /** Warnings and errors (stderr). */
  error: (line: string) => void;
}

const UINT32_MAX = 2 ** 32 - 1;

export class ServerLog {
  private current: LogSettings = {
    log_file: '',
    log_info: true,
    log_warning: true,
    log_error: true,
    log_verbose_level: 0,
    log_format: 'default',
  };

  constructor(private readonly sinks: LogSinks) {}

  settings(): LogSettings {
    return { ...this.current };
  }

  /** Applies the settings given (all checked before any is applied) and returns them all. */
  update(changes: Record<string, unknown>): LogSettings {
    const next = { ...this.current };
    for (const [name, value] of Object.entries(changes)) {
      switch (name) {
        case 'log_info':
        case 'log_warning':
        case 'log_error':
          if (typeof value !== 'boolean') throw settingError(name, value, 'true or false');
          next[name] = value;
          break;
        case 'log_verbose_level':
          if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > UINT32_MAX)
            throw settingError(name, value, 'a whole number ≥ 0');
          next.log_verbose_level = value;
          break;
        case 'log_format':
          if (!LOG_FORMATS.includes(value as LogFormat))
            throw settingError(name, value, `one of ${LOG_FORMATS.map((format) => `"${format}"`).join(', ')}`);
          next.log_format = value as LogFormat;
          break;
        case 'log_file':
          if (value !== next.log_file)
            throw new InvalidRequestError("log setting 'log_file' cannot be changed while the server runs; the log goes to the console");
          break;
        default:
          throw new InvalidRequestError(`unknown log setting '${name}'; the settings are ${Object.keys(this.current).join(', ')}`);
      }
    }
    this.current = next;
    return this.settings();
  }

  info(line: string): void {
    if (this.current.log_info) this.sinks.info(this.format('I', line));
  }

  warning(line: string): void {
    if (this.current.log_warning) this.sinks.error(this.format('W', line));
  }

  error(line: string): void {
    if (this.current.log_error) this.sinks.error(this.format('E', line));
  }

  /** Whether verbose lines of `level` are written: callers skip building a line nobody reads. */
  verboseAt(level: number): boolean {
    return this.current.log_verbose_level >= level;
  }

  verbose(level: number, line: string): void {
    if (this.verboseAt(level)) this.sinks.info(this.format('V', line));
  }

  private format(level: Level, line: string): string {
    if (this.current.log_format === 'default') return line;
    return `${new Date().toISOString().replace(/\.\d+Z$/, 'Z')} ${level} ${process.pid}] ${line}`;
  }
}

function settingError(name: string, value: unknown, expected: string): InvalidRequestError {
  return new InvalidRequestError(`log setting '${name}' is ${JSON.stringify(value) ?? String(value)}; it must be ${expected}`);
}
