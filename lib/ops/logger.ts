import pino from 'pino';

/** The header the proxy gives every request (kept from a load balancer when it sent a well-formed one). */
export const REQUEST_ID_HEADER = 'x-request-id';

/** Fields whose values are never written, wherever they sit in what is logged: credentials and sessions. */
const NEVER = ['authorization', 'cookie', 'set-cookie', 'token', 'password', 'secret', 'apiKey', 'sessionToken'];

const LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'];

/** LOG_LEVEL, or info when unset or not a level (a typo must not stop the server; the first line says so). */
function levelOf(asked: string | undefined): string {
  return asked && LEVELS.includes(asked) ? asked : 'info';
}

/** A logger as the app's, writing to `destination` (stdout for the app; a test's stream in the tests). */
export function createLogger(destination?: pino.DestinationStream): pino.Logger {
  return pino(
    {
      level: levelOf(process.env.LOG_LEVEL),
      base: { service: 'custodian', pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: {
        paths: [...NEVER, ...NEVER.map((f) => `*.${f}`), ...NEVER.map((f) => `*.*.${f}`)],
        censor: '[redacted]',
      },
    },
    destination,
  );
}

/**
 * The one logger: JSON lines on stdout (level, time, message, fields), for the log pipeline of whoever runs it.
 * LOG_LEVEL picks the level (info by default). Paths are logged, never queries, headers or bodies.
 */
export const log = createLogger();
if (process.env.LOG_LEVEL && levelOf(process.env.LOG_LEVEL) !== process.env.LOG_LEVEL) {
  log.warn(`LOG_LEVEL must be one of ${LEVELS.join(', ')}: logging at info.`);
}

/** A request id as sent by a load balancer in front, if it is one (a short token); otherwise a new one is made. */
export function requestIdOf(sent: string | null): string {
  return sent && /^[A-Za-z0-9._:-]{8,128}$/.test(sent) ? sent : crypto.randomUUID();
}
