/**
 * Build step: compiles config.schema.json into a standalone validator beside dist/config/schema.js
 * (ajv's "standalone validation code"), so the CLI does not generate and compile it on every start.
 * CommonJS because ajv's standalone output requires its small runtime helpers.
 */
import { writeFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import standalone from 'ajv/dist/standalone/index.js';
import { AJV_OPTIONS, readSchema } from '../src/config/schema.ts';

const ajv = new Ajv2020({ ...AJV_OPTIONS, code: { source: true, esm: false } });
const validate = ajv.compile(readSchema());
// The name src/config/schema.ts looks for beside itself once built.
writeFileSync(new URL('../dist/config/config-validator.cjs', import.meta.url), standalone.default(ajv, validate));
