import { z } from 'zod';
import { Reason } from '@/lib/secrets/free-text';

/** A field of an event's details, by JSON pointer (RFC 6901): keys Custodian writes, never free text. */
export const FieldPointer = z
  .string('Name the field by its JSON pointer, e.g. /reason.')
  .regex(/^(\/([A-Za-z0-9_.$-]|~[01]){1,100}){1,10}$/, 'Name the field by its JSON pointer, e.g. /reason.');

const Seq = z.coerce
  .string('Name the event by its number (#).')
  .regex(/^[1-9][0-9]{0,18}$/, 'Name the event by its number (#).')
  .transform(BigInt)
  .pipe(z.bigint().max(9_223_372_036_854_775_807n, 'No event has that number.'));

/** One event's fields to redact (the console's form), and why. */
export const RequestRedactionSchema = z.object({
  seq: Seq,
  pointers: z
    .array(FieldPointer, 'Choose at least one field to redact.')
    .min(1, 'Choose at least one field to redact.')
    .max(50, 'At most 50 fields in one request.'),
  reason: Reason,
});
