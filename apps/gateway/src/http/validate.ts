import Ajv, { type ErrorObject, type JSONSchemaType, type ValidateFunction } from 'ajv';
import { ApiError } from '../errors/api-error';

const ajv = new Ajv({ allErrors: false, strict: true, coerceTypes: false, useDefaults: false, removeAdditional: false });

/** One JSON Schema per body: it validates the request here and documents it in the OpenAPI document. */
export interface BodySchema<T> {
  readonly schema: JSONSchemaType<T>;
  readonly validate: ValidateFunction<T>;
}

export function bodySchema<T>(schema: JSONSchemaType<T>): BodySchema<T> {
  return { schema, validate: ajv.compile(schema) };
}

function describe(error: ErrorObject): ApiError {
  const field = error.instancePath ? error.instancePath.slice(1).replace(/\//g, '.') : 'body';
  if (error.keyword === 'additionalProperties') {
    const property = (error.params as { additionalProperty?: unknown }).additionalProperty;
    const extra = (typeof property === 'string' ? property : '').slice(0, 64);
    return new ApiError('unknown-field', `${field === 'body' ? '' : `${field}: `}unknown field ${JSON.stringify(extra)}`);
  }
  return new ApiError('invalid-argument', `${field} ${error.message ?? 'is invalid'}`);
}

/** The body as `T`, or 400 naming the first bad field (`unknown-field` or `invalid-argument`). */
export function parseBody<T>(body: unknown, schema: BodySchema<T>): T {
  if (body === undefined) throw new ApiError('invalid-argument', 'body is required');
  if (!schema.validate(body)) throw describe(schema.validate.errors![0]!);
  return body;
}
