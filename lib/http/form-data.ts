/**
 * A form's fields as a plain object for its zod schema. Fields named in
 * `lists` keep every value (checkbox groups); others keep their last value.
 */
export function formToObject(formData: FormData, lists: readonly string[] = []): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const key of new Set(formData.keys())) {
    const values = formData.getAll(key).filter((v): v is string => typeof v === 'string');
    result[key] = lists.includes(key) ? values : values[values.length - 1];
  }
  for (const key of lists) result[key] ??= [];
  return result;
}
