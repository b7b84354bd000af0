import nodemailer from 'nodemailer';
import type { Env } from '@/lib/env';
import { resolveSecret } from '@/lib/secrets/secret-ref';
import type { PostResult } from './webhook';

export type Mail = { to: string; subject: string; text: string; notificationId: string };

/** The SMTP settings, or null when none is configured (e-mails are then skipped, and the log says why). */
export type SmtpConfig = Pick<
  Env,
  'SMTP_HOST' | 'SMTP_PORT' | 'SMTP_SECURE' | 'SMTP_USER' | 'SMTP_PASSWORD' | 'SMTP_FROM'
>;

/**
 * Sends one e-mail through the configured SMTP server, the password read from its reference now (a rotated secret
 * takes effect without a restart). Never throws: the result says what the server answered.
 */
export async function sendMail(config: SmtpConfig, mail: Mail): Promise<PostResult> {
  try {
    const transport = nodemailer.createTransport({
      host: config.SMTP_HOST,
      port: config.SMTP_PORT,
      secure: config.SMTP_SECURE === 'true',
      auth: config.SMTP_USER
        ? { user: config.SMTP_USER, pass: config.SMTP_PASSWORD ? resolveSecret(config.SMTP_PASSWORD).trim() : '' }
        : undefined,
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 20_000,
    });
    const info = await transport.sendMail({
      from: config.SMTP_FROM,
      to: mail.to,
      subject: mail.subject,
      text: mail.text,
      // The id a mail filter or a receiving script deduplicates on (delivery is at least once).
      headers: { 'X-Custodian-Notification-Id': mail.notificationId },
    });
    transport.close();
    return { ok: true, detail: String(info.response ?? 'accepted').slice(0, 200) };
  } catch (error) {
    const e = error as NodeJS.ErrnoException & { responseCode?: number; response?: string };
    const said = e.response ?? e.message;
    return { ok: false, detail: `${e.code ?? 'error'}: ${String(said).slice(0, 200)}` };
  }
}
