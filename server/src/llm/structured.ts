/**
 * Structured answers: a zod schema is both what a request sends as its JSON Schema
 * (`responseJsonSchema`) and what the answer is checked against, so the answer's type is the
 * schema's and nothing reads an untyped answer.
 */
import { z } from 'zod';

/** An answer a reader accepted (`value`), or why it did not (`problem`, one readable line). */
export type Answer<T> = { readonly value: T } | { readonly problem: string };

const jsonSchemas = new WeakMap<z.ZodType, object>();

/**
 * The JSON Schema sent for `schema` (draft 2020-12 as zod writes it, input shape, without the
 * `$schema` member): the same document the stages sent before their schemas were written in zod,
 * so answer-cache keys made then still match (test/unit/structured.test.ts pins them).
 */
export function jsonSchemaOf(schema: z.ZodType): object {
  let json = jsonSchemas.get(schema);
  if (!json) {
    const { $schema: _drop, ...rest } = z.toJSONSchema(schema, { io: 'input' }) as Record<string, unknown>;
    jsonSchemas.set(schema, (json = rest));
  }
  return json;
}

/**
 * `text` parsed as JSON and checked against `schema`: `{ value }` typed by the schema, or
 * `{ problem }` — "the answer is not JSON (…)" or the schema's complaints as
 * "<JSON pointer or (answer)> <what is wrong>", joined by "; " (the wording failures.ts reads).
 */
export function parseStructured<T>(schema: z.ZodType<T>, text: string): Answer<T> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { problem: `the answer is not JSON (${JSON.stringify(text.slice(0, 80))})` };
  }
  const parsed = schema.safeParse(value, { reportInput: true });
  if (parsed.success) return { value: parsed.data };
  return { problem: parsed.error.issues.map(describeIssue).join('; ') };
}

/** One schema complaint in JSON Schema validators' words (as ajv put them, which failure messages were written against). */
function describeIssue(issue: z.core.$ZodIssue): string {
  const pointer = (path: readonly PropertyKey[]) => (path.length ? `/${path.map(String).join('/')}` : '(answer)');
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined && issue.path.length)
        return `${pointer(issue.path.slice(0, -1))} must have required property '${String(issue.path[issue.path.length - 1])}'`;
      return `${pointer(issue.path)} must be ${issue.expected === 'int' ? 'integer' : issue.expected}`;
    case 'too_small':
    case 'too_big': {
      const bound = issue.code === 'too_small' ? issue.minimum : issue.maximum;
      const unit = issue.origin === 'string' ? 'characters' : issue.origin === 'array' ? 'items' : undefined;
      if (unit)
        return `${pointer(issue.path)} must NOT have ${issue.code === 'too_small' ? 'fewer' : 'more'} than ${String(bound)} ${unit}`;
      return `${pointer(issue.path)} must be ${issue.code === 'too_small' ? '>=' : '<='} ${String(bound)}`;
    }
    case 'invalid_value':
      return `${pointer(issue.path)} must be equal to one of the allowed values`;
    default:
      return `${pointer(issue.path)} ${issue.message}`;
  }
}
