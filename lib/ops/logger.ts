import pino from 'pino';

/** The header carrying each request's id: Custodian's own, on the request the app sees and on the response. */
export const REQUEST_ID_HEADER = 'x-request-id';

/** Fields whose values are never written, wherever they sit in what is logged (to four levels): credentials. */
const NEVER = [
  ...['authorization', 'Authorization', 'cookie', 'Cookie', 'set-cookie', 'Set-Cookie'],
  ...['token', 'access_token', 'id_token', 'refresh_token', 'sessionToken', 'apiKey'],
  ...['password', 'pass', 'secret', 'client_secret', 'privateKey', 'connectionString'],
];
const PATHS = NEVER.flatMap((f) => [f, `*.${f}`, `*.*.${f}`, `*.*.*.${f}`]);

/**
 * Text can carry a credential too (an error naming the URL it failed on): user:password in URLs, bearer and basic
 * credentials, and password/secret/token query parameters are blotted out of every message and error.
 */
export function scrub(text: string): string {
  return text
    .replace(/\b([a-z][a-z0-9+.-]*:\/\/)[^\s/@:]+:[^\s/@]+@/gi, '$1[redacted]@')
    .replace(/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/g, '$1 [redacted]')
    .replace(/\b(password|passwd|secret|token|key|sig)=[^&\s"']+/gi, '$1=[redacted]');
}

/**
 * An error as logged: its type, message, stack (with its causes) and code, nothing else. Errors carry whatever their
 * library hung on them — node-postgres puts the whole client on a pool's error (its cancel key, its socket), an HTTP
 * client the request with its headers — so the fields are chosen, never copied.
 */
export function describeError(error: unknown): { type: string; message: string; stack?: string; code?: string } {
  if (!(error instanceof Error)) return { type: typeof error, message: scrub(String(error)) };
  const shown = pino.stdSerializers.err(error);
  const code = (error as { code?: unknown }).code;
  return {
    type: shown.type,
    message: scrub(shown.message ?? ''),
    stack: scrub(shown.stack ?? ''),
    ...(typeof code === 'string' || typeof code === 'number' ? { code: String(code) } : {}),
  };
}

const LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'];

/** LOG_LEVEL, or info when unset or not a level (a typo must not stop the server; the first line says so). */
function levelOf(asked: string | undefined): string {
  return asked && LEVELS.includes(asked) ? asked : 'info';
}

/** A logger as the app's, writing to `destination` (stdout for the app; a test's stream in the tests). */
export function createLogger(
  destination?: pino.DestinationStream,
  level = levelOf(process.env.LOG_LEVEL),
): pino.Logger {
  return pino(
    {
      level,
      base: { service: 'custodian', pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: PATHS, censor: '[redacted]' },
      serializers: {
        err: describeError,
      },
      hooks: {
        logMethod(args, method) {
          method.apply(this, args.map((a) => (typeof a === 'string' ? scrub(a) : a)) as Parameters<typeof method>);
        },
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

/**
 * The id a load balancer in front gave the request, when it is one (a short token). It is logged beside Custodian's
 * own id, never as it: any client can send the header, and must not mix its lines into another request's.
 */
export function upstreamIdOf(sent: string | null): string | null {
  return sent && /^[A-Za-z0-9._:-]{8,128}$/.test(sent) ? sent : null;
}
