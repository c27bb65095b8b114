/**
 * The saved plan: versioned JSON meant to be read in a pull request. It records the state it was
 * made from (lineage and serial) and the config's hash, so apply can refuse a plan the world has
 * moved on from. Reading one back validates its shape: a plan file is user input.
 */
import { createHash } from 'node:crypto';
import type { ValidateFunction } from 'ajv/dist/2020.js';
import { loadAjv2020 } from '../ajv.ts';
import type { SourceProblem } from '../sources/types.ts';
import type { PlanBody, PlanSummary, UploadAction } from './types.ts';

export const PLAN_FORMAT = 'photosync-plan';
export const PLAN_FORMAT_VERSION = 1;

export interface PlanFile {
  readonly format: typeof PLAN_FORMAT;
  readonly formatVersion: typeof PLAN_FORMAT_VERSION;
  readonly photosyncVersion: string;
  readonly createdAt: string;
  readonly config: { readonly file: string; readonly hash: string };
  readonly state: { readonly lineage: string; readonly serial: number };
  readonly summary: PlanSummary;
  /** Files the scan could not use, and notes about files it did (an extension that lies…). */
  readonly problems: readonly SourceProblem[];
  readonly notes: readonly { readonly source: string; readonly relPath: string; readonly note: string }[];
  readonly actions: readonly UploadAction[];
}

export interface PlanContext {
  readonly photosyncVersion: string;
  readonly createdAt: string;
  readonly config: PlanFile['config'];
  readonly state: PlanFile['state'];
  readonly problems: PlanFile['problems'];
  readonly notes: PlanFile['notes'];
}

export function toPlanFile(body: PlanBody, context: PlanContext): PlanFile {
  return {
    format: PLAN_FORMAT,
    formatVersion: PLAN_FORMAT_VERSION,
    photosyncVersion: context.photosyncVersion,
    createdAt: context.createdAt,
    config: context.config,
    state: context.state,
    summary: body.summary,
    problems: context.problems,
    notes: context.notes,
    actions: body.actions,
  };
}

export function serializePlan(plan: PlanFile): string {
  return `${JSON.stringify(plan, null, 2)}\n`;
}

export function planSha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

const hex64 = { type: 'string', pattern: '^[0-9a-f]{64}$' };
const PLAN_SCHEMA = {
  type: 'object',
  required: ['format', 'formatVersion', 'config', 'state', 'summary', 'actions'],
  properties: {
    format: { const: PLAN_FORMAT },
    formatVersion: { type: 'integer' },
    photosyncVersion: { type: 'string' },
    createdAt: { type: 'string' },
    config: {
      type: 'object',
      required: ['file', 'hash'],
      properties: { file: { type: 'string' }, hash: hex64 },
    },
    state: {
      type: 'object',
      required: ['lineage', 'serial'],
      properties: { lineage: { type: 'string' }, serial: { type: 'integer', minimum: 0 } },
    },
    summary: { type: 'object' },
    problems: { type: 'array' },
    notes: { type: 'array' },
    actions: {
      type: 'array',
      items: {
        type: 'object',
        required: ['op', 'id', 'remote', 'sha256', 'size', 'source', 'from', 'origin', 'to', 'renamed'],
        additionalProperties: false,
        properties: {
          op: { const: 'upload' },
          id: { type: 'integer', minimum: 1 },
          remote: { type: 'string', minLength: 1 },
          sha256: hex64,
          size: { type: 'integer', minimum: 0 },
          source: { type: 'string', minLength: 1 },
          from: { type: 'string', minLength: 1 },
          origin: { type: 'string', minLength: 1 },
          to: { type: 'string', minLength: 1 },
          renamed: { type: 'boolean' },
          group: { type: 'string' },
          captured: { type: 'string' },
        },
      },
    },
  },
} as const;

let validate: ValidateFunction | undefined;

/** Parses and checks a plan file's text; the problems are plain sentences, empty when it is valid. */
export function parsePlanFile(text: string): { plan: PlanFile | null; problems: string[] } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { plan: null, problems: [`not JSON: ${(err as Error).message}`] };
  }
  if (typeof value === 'object' && value !== null && 'formatVersion' in value && value.formatVersion !== PLAN_FORMAT_VERSION) {
    return {
      plan: null,
      problems: [`plan format version ${String(value.formatVersion)} is not ${PLAN_FORMAT_VERSION}: make it again with this photosync`],
    };
  }
  validate ??= new (loadAjv2020())({ allErrors: true, strict: false }).compile(PLAN_SCHEMA);
  if (!validate(value)) {
    const problems = (validate.errors ?? []).slice(0, 10).map((e) => `${e.instancePath || 'plan'} ${e.message ?? 'is invalid'}`);
    return { plan: null, problems };
  }
  return { plan: value as PlanFile, problems: [] };
}
