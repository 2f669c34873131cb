import { it } from 'vitest';
import { run, LOCAL } from '../helpers/context.js';
import { jwtRules } from '../../src/core/rules/jwt/index.js';
import { secretRules } from '../../src/core/rules/secrets/index.js';
it('explore', async () => {
  for (const release of ['v9.3.0', 'v7.1.1', 'v8.1.1']) {
    const f = await run([...jwtRules, ...secretRules], {}, { release });
    console.log(release, f.map((x) => `${x.ruleId} ${x.severity} ${x.location?.file}:${x.location?.line}:${x.location?.column} ${x.key}\n   ${x.message}`).join('\n'));
  }
  const f = await run([...jwtRules, ...secretRules], { [LOCAL]: '{"services":{"CoAuthoring":{"secret":{"inbox":{"file":"/etc/x"}},"token":{"enable":{"browser":"false","request":{"inbox":"","outbox":true}}}}}}' }, { release: 'v9.3.0' });
  console.log(f.map((x) => `${x.ruleId} ${x.severity} ${x.location?.file}:${x.location?.line}:${x.location?.column} ${x.key}\n   ${x.message}`).join('\n'));
});
