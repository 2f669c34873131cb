import type { Rule } from '../rule.js';
import { parseError } from './parse-error.js';
import { duplicateKeys } from './duplicate-keys.js';
import { commentFallback } from './comment-fallback.js';
import { skippedLayer } from './skipped-layer.js';
import { brokenRuntime } from './broken-runtime.js';
import { overriddenLocal } from './overridden-local.js';
import { opaqueLayer } from './opaque-layer.js';
import { editedDefault } from './edited-default.js';
import { extraSources } from './extra-sources.js';
import { unknownKeys } from './unknown-keys.js';
import { wrongType } from './wrong-type.js';
import { prototypeKey } from './prototype-key.js';
import { staleDefault } from './stale-default.js';

/** Retired ids (never reused): DSH101 (unreadable file) — merged into DSH401, which also knows the service user. */
export const layerRules: readonly Rule[] = [
  parseError,
  duplicateKeys,
  commentFallback,
  skippedLayer,
  brokenRuntime,
  overriddenLocal,
  opaqueLayer,
  editedDefault,
  extraSources,
  unknownKeys,
  wrongType,
  prototypeKey,
  staleDefault,
];
