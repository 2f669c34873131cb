import type { Rule } from '../rule.js';
import { dockerSecretUnset } from './secret-unset.js';
import { dockerMisspeltVariable } from './misspelt-variable.js';
import { dockerQuotedValue } from './quoted-value.js';
import { dockerJwtNotEnabled } from './jwt-enabled-not-true.js';
import { dockerWeakSecret } from './weak-env-secret.js';
import { dockerConfigMounted } from './config-mounted.js';
import { dockerPortPublished } from './port-all-interfaces.js';

/** The Docker container's definition: its environment as the entrypoint reads it, its mounts and ports (DSH900–DSH906). */
export const deploymentRules: readonly Rule[] = [
  dockerSecretUnset,
  dockerMisspeltVariable,
  dockerQuotedValue,
  dockerJwtNotEnabled,
  dockerWeakSecret,
  dockerConfigMounted,
  dockerPortPublished,
];
