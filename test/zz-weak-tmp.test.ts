import { it } from 'vitest';
import crypto from 'node:crypto';
import { weaknessOf } from '../src/core/rules/secrets/weakness.js';
it('x', () => {
  const samples = ['correcthorsebatterystaplecorrecthorse', 'thequickbrownfoxjumpsoverthelazydog', 'correct-horse-battery-staple-mountain',
    'abcabcabcabcabcabcabcabcabcabcabcabc', 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', 'abcdefghijklmnopqrstuvwxyz0123456789',
    'MyOnlyOfficeNextcloudSecretPassword2024', 'onlyoffice-nextcloud-jwt-secret-2024!', '0123456789012345678901234567890123',
    'kP3vX9qL2mN7rT5wY8zB4cF6hJ1sD0gA'];
  for (const s of samples) console.log(s, '→', weaknessOf(s));
  const gens: Record<string, () => string> = {
    hex: () => crypto.randomBytes(16).toString('hex'),
    hex32: () => crypto.randomBytes(32).toString('hex'),
    b64: () => crypto.randomBytes(24).toString('base64'),
    alnum: () => { const a='ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'; let s=''; for (let i=0;i<32;i++) s+=a[crypto.randomInt(a.length)]; return s; },
    lower: () => { const a='abcdefghijklmnopqrstuvwxyz'; let s=''; for (let i=0;i<32;i++) s+=a[crypto.randomInt(a.length)]; return s; },
    lowernum: () => { const a='abcdefghijklmnopqrstuvwxyz0123456789'; let s=''; for (let i=0;i<32;i++) s+=a[crypto.randomInt(a.length)]; return s; },
  };
  for (const [name, g] of Object.entries(gens)) {
    let n = 0; const reasons: Record<string, number> = {};
    for (let i = 0; i < 100000; i++) { const r = weaknessOf(g()); if (r) { n++; const k = r.replace(/\d+/g,'N'); reasons[k]=(reasons[k]??0)+1; } }
    console.log(name, n, JSON.stringify(reasons));
  }
});
