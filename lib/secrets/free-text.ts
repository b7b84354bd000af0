import { z } from 'zod';

/** Marks the schemas of free text: the schema-walk test finds every free string through it. */
export const FREE_TEXT = z.registry<{ freeText: true }>();

// C0 controls other than tab, line feed and carriage return; DEL; lone surrogates.
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Why a string cannot be input (a control character, a lone surrogate), or null: the edge and FreeText share it. */
export function hostileText(text: string): string | null {
  if (CONTROL.test(text)) return 'a control character (such as NUL)';
  if (LONE_SURROGATE.test(text)) return 'a lone UTF-16 surrogate';
  return null;
}

/**
 * A string a person or an API client types freely: trimmed, bounded, free of
 * control characters. Every such value in a request is also scanned for
 * secrets, all at once, by `readInput` (a secret is refused as an alarm).
 */
export function FreeText(max: number, tooLong = `Keep it under ${max.toLocaleString('en')} characters.`) {
  const schema = z
    .string()
    .trim()
    .max(max, tooLong)
    .refine((v) => hostileText(v) === null, 'Control characters (such as NUL) are not allowed.');
  return schema.register(FREE_TEXT, { freeText: true });
}

/** A record id, slug or other identifier (never free text), with the message a form shows when it is missing. */
export const IdOf = (message: string) => z.string(message).regex(/^[A-Za-z0-9_.:-]{1,128}$/, message);
export const Id = IdOf('Not a valid id.');

/** An id a form may leave empty. */
export const OptionalId = z
  .union([z.literal(''), Id])
  .optional()
  .transform((v) => v || undefined);

/** Why a person did something: required, a few words at least. */
export const Reason = FreeText(500, 'Keep the reason under 500 characters.').pipe(
  z.string().min(3, 'Say why, in a few words (at least 3 characters).'),
);

/** Why, when it is optional (kept with a change request, say). */
export const OptionalReason = FreeText(500, 'Keep the reason under 500 characters.')
  .optional()
  .transform((v) => v || undefined);
