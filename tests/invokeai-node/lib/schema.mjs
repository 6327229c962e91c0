// InvokeAI's node catalog, read from its OpenAPI document: every invocation's inputs and output type,
// every output's fields, and JSON-schema checks for direct values.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const OPENAPI_PATH = path.resolve(here, '../../../third_party/invokeai/openapi.json');

const REF_PREFIX = '#/components/schemas/';
const refName = (ref) => ref.slice(REF_PREFIX.length);

export class Catalog {
  constructor(document) {
    this.schemas = document.components.schemas;
    this.nodes = new Map(); // node type -> { schemaName, props, output, outputProps }
    for (const [name, schema] of Object.entries(this.schemas)) {
      if (schema.class !== 'invocation') continue;
      const type = schema.properties?.type?.const ?? schema.properties?.type?.default;
      const outputName = schema.output?.$ref ? refName(schema.output.$ref) : null;
      const output = outputName ? this.schemas[outputName] : null;
      this.nodes.set(type, {
        type,
        schemaName: name,
        props: schema.properties,
        outputName,
        outputType: output?.properties?.type?.const ?? null,
        outputProps: Object.fromEntries(
          Object.entries(output?.properties ?? {}).filter(([, p]) => p.field_kind === 'output')),
      });
    }
  }

  static load(file = OPENAPI_PATH) {
    return new Catalog(JSON.parse(fs.readFileSync(file, 'utf8')));
  }

  resolve(schema) {
    let current = schema;
    while (current && current.$ref) current = this.schemas[refName(current.$ref)];
    return current;
  }

  /**
   * The type of a field as a set of { base, list } options, for edge checks: `base` is the `$ref`
   * name (ImageField, LatentsField, ...) or the JSON type; null means it accepts or gives anything
   * (ui_type AnyField/Collection*, or an untyped schema).
   */
  fieldType(prop) {
    if (!prop) return null;
    if (['AnyField', 'CollectionField', 'CollectionItemField'].includes(prop.ui_type)) return null;
    const options = [];
    const visit = (s, list) => {
      if (s.anyOf || s.oneOf) {
        for (const o of s.anyOf ?? s.oneOf) visit(o, list);
      } else if (s.$ref) {
        options.push({ base: refName(s.$ref), list });
      } else if (s.type === 'array') {
        if (!s.items || Object.keys(s.items).length === 0) options.push({ base: null, list: true });
        else visit(s.items, true);
      } else if (s.type === 'null') {
        // Optional: not a type of its own.
      } else if (s.type) {
        options.push({ base: s.type, list });
      } else if (s.enum) {
        options.push({ base: typeof s.enum[0] === 'number' ? 'integer' : 'string', list });
      } else {
        options.push({ base: null, list });
      }
    };
    visit(prop, false);
    if (options.length === 0 || options.some((o) => o.base === null)) return null;
    return options;
  }

  /**
   * Whether an output of type `from` may feed an input of type `to`, after InvokeAI's
   * `are_connection_types_compatible` (graph.py): equal types, Any, a type inside the other's
   * Optional/Union/list, int -> float, int|float -> str.
   */
  compatible(from, to) {
    if (from === null || to === null) return true;
    for (const f of from) {
      for (const t of to) {
        if (f.base === t.base) return true;
        if (f.base === 'integer' && t.base === 'number') return true;
        if ((f.base === 'integer' || f.base === 'number') && t.base === 'string') return true;
      }
    }
    return false;
  }

  /**
   * Checks a direct value against a property schema (the JSON-schema subset InvokeAI's schema uses).
   * Returns { error } or { refs }, where refs are the ImageField and ModelIdentifierField values found
   * in the matching branch, for the image and model checks.
   */
  check(schema, value, where = 'value') {
    const refs = [];
    const error = this.#check(schema, value, where, refs, 0);
    return error ? { error } : { refs };
  }

  #check(schema, value, where, refs, depth) {
    if (!schema || depth > 12) return null;
    if (schema.$ref) {
      const name = refName(schema.$ref);
      const target = this.schemas[name];
      const error = this.#check(target, value, where, refs, depth + 1);
      if (!error && (name === 'ImageField' || name === 'ModelIdentifierField')) refs.push({ ref: name, value, where });
      return error;
    }
    const branches = schema.anyOf ?? schema.oneOf;
    if (branches) {
      const errors = [];
      for (const branch of branches) {
        const local = [];
        const error = this.#check(branch, value, where, local, depth + 1);
        if (!error) {
          refs.push(...local);
          return null;
        }
        errors.push(error);
      }
      return errors.find((e) => !e.endsWith('is not null') && !e.includes('must be null')) ?? errors[0];
    }
    if ('const' in schema && value !== schema.const) return `${where} must be ${JSON.stringify(schema.const)}`;
    if (schema.enum && !schema.enum.includes(value)) {
      return `${where}: ${JSON.stringify(value)} is not one of ${schema.enum.map((e) => JSON.stringify(e)).join(', ')}`;
    }
    switch (schema.type) {
      case 'null':
        return value === null ? null : `${where} must be null`;
      case 'boolean':
        return typeof value === 'boolean' ? null : `${where} must be a boolean`;
      case 'string':
        return typeof value === 'string' ? null : `${where} must be a string`;
      case 'integer':
        if (typeof value !== 'number' || !Number.isInteger(value)) return `${where} must be an integer`;
        return this.#bounds(schema, value, where);
      case 'number':
        if (typeof value !== 'number' || !Number.isFinite(value)) return `${where} must be a number`;
        return this.#bounds(schema, value, where);
      case 'array': {
        if (!Array.isArray(value)) return `${where} must be a list`;
        if (schema.minItems !== undefined && value.length < schema.minItems) return `${where} needs at least ${schema.minItems} items`;
        for (let i = 0; i < value.length; i++) {
          const error = this.#check(schema.items, value[i], `${where}[${i}]`, refs, depth + 1);
          if (error) return error;
        }
        return null;
      }
      case 'object':
      case undefined: {
        if (schema.type === undefined && !schema.properties) return null; // untyped: anything goes
        if (typeof value !== 'object' || value === null || Array.isArray(value)) return `${where} must be an object`;
        for (const name of schema.required ?? []) {
          if (!(name in value) && schema.properties?.[name] && !('default' in schema.properties[name])) {
            return `${where}.${name} is required`;
          }
        }
        for (const [name, item] of Object.entries(value)) {
          const prop = schema.properties?.[name];
          if (prop) {
            const error = this.#check(prop, item, `${where}.${name}`, refs, depth + 1);
            if (error) return error;
          }
        }
        return null;
      }
      default:
        return null;
    }
  }

  #bounds(schema, value, where) {
    if (schema.minimum !== undefined && value < schema.minimum) return `${where} must be >= ${schema.minimum}`;
    if (schema.maximum !== undefined && value > schema.maximum) return `${where} must be <= ${schema.maximum}`;
    if (schema.exclusiveMinimum !== undefined && value <= schema.exclusiveMinimum) return `${where} must be > ${schema.exclusiveMinimum}`;
    if (schema.exclusiveMaximum !== undefined && value >= schema.exclusiveMaximum) return `${where} must be < ${schema.exclusiveMaximum}`;
    if (schema.multipleOf !== undefined && Math.abs(value / schema.multipleOf - Math.round(value / schema.multipleOf)) > 1e-9) {
      return `${where} must be a multiple of ${schema.multipleOf}`;
    }
    return null;
  }
}
