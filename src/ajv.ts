/**
 * ajv, loaded on first use: importing it costs a command ~40 ms, and the commands that run most
 * (a scheduled apply) need it for neither the config (compiled at build time, see
 * src/config/schema.ts) nor a plan file.
 */
import { createRequire } from 'node:module';
import type { Ajv2020 as Ajv2020Class } from 'ajv/dist/2020.js';

export function loadAjv2020(): typeof Ajv2020Class {
  return (createRequire(import.meta.url)('ajv/dist/2020.js') as { Ajv2020: typeof Ajv2020Class }).Ajv2020;
}
