import { SecretUnavailable } from '@/lib/secrets/secret-ref';
import { urlRefusal } from './address-guard';
import { resolveNotifySecret } from './notify-secret';
import { isNotifyRef } from './schema';

/** What is said of a URL held by reference that may not be sent to: never what the reference holds. */
export const REFERENCE_REFUSED =
  'The URL the reference holds is not a public address Custodian may send to (https:// in production).';

export type EndpointTarget = { ok: true; url: string; byReference: boolean } | { ok: false; why: string };

/**
 * Where an endpoint sends: its URL, or the one its reference holds (read now, so a rotated secret takes effect), if
 * that is a URL Custodian may send to — the one reading for the form that saves it and the delivery that uses it.
 */
export function endpointTarget(url: string, production = process.env.NODE_ENV === 'production'): EndpointTarget {
  const byReference = isNotifyRef(url);
  let target = url;
  if (byReference) {
    try {
      target = resolveNotifySecret(url).trim();
    } catch (error) {
      if (error instanceof SecretUnavailable) return { ok: false, why: error.message };
      throw error;
    }
  }
  const refusal = urlRefusal(target, production);
  if (refusal) return { ok: false, why: byReference ? REFERENCE_REFUSED : refusal };
  return { ok: true, url: target, byReference };
}
