/**
 * Answers serialised from each route's response schema by fast-json-stringify
 * (fastify's own serializer), compiled once per route and status from the
 * JSON schema of the route's zod schema, instead of fastify-type-provider-zod's
 * serializer, which parses every answer with zod (a full copy of it) and then
 * calls JSON.stringify. The zod schemas stay the source of truth: they
 * generate the OpenAPI document and validate requests as before.
 *
 * What an answer carries is what the schema names (fields it does not name are
 * left out, as zod's parse stripped them; a loose object keeps them); a
 * missing required field is still an error (500, HTTP_INTERNAL), never an
 * answer without it. Answers are built by the center's own code, so values
 * are not re-validated (an enum, a regex): the request side is where outside
 * input is checked. A schema JSON Schema cannot express (a transform, a date)
 * keeps the zod serializer.
 */
import fastJsonStringify from 'fast-json-stringify';
import { serializerCompiler as zodSerializerCompiler } from 'fastify-type-provider-zod';
import { z } from 'zod';

type SerializerCompiler = Parameters<typeof zodSerializerCompiler>[0];
type Serialize = (data: unknown) => string;

function isZod(schema: unknown): schema is z.ZodType {
  return typeof schema === 'object' && schema !== null && '_zod' in schema;
}

/** The JSON schema fast-json-stringify compiles, or undefined when zod cannot express the schema in one. */
export function responseJsonSchema(schema: z.ZodType): Record<string, unknown> | undefined {
  try {
    const json = z.toJSONSchema(schema, { io: 'output', target: 'draft-7', unrepresentable: 'throw', cycles: 'throw', reused: 'inline' }) as Record<string, unknown>;
    delete json['$schema'];
    return json;
  } catch {
    return undefined;
  }
}

export const fastSerializerCompiler = (route: SerializerCompiler): Serialize => {
  const schema: unknown = route.schema;
  if (!isZod(schema)) return fastJsonStringify(schema as Parameters<typeof fastJsonStringify>[0]) as Serialize;
  const json = responseJsonSchema(schema);
  if (json === undefined) return zodSerializerCompiler(route) as Serialize;
  return fastJsonStringify(json as unknown as Parameters<typeof fastJsonStringify>[0]) as Serialize;
};
