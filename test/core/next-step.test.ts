/** The next-step command check prints: built from the effective configuration and the options check ran with. */
import { describe, expect, it } from 'vitest';
import { nextStep, type NextStepInput } from '../../src/core/next-step.js';
import { shellQuote as shellWord } from '../../src/core/text/shell.js';
import { rules } from '../../src/core/rules/index.js';
import type { Finding, Severity } from '../../src/core/types.js';

const CO = 'services.CoAuthoring';
const LOCAL = '/etc/onlyoffice/documentserver/local.json';
const metas = rules.map(({ id, area, severity, title, why, remediation, fixedByApply }) => ({ id, area, severity, title, why, remediation, ...(fixedByApply ? { fixedByApply } : {}) }));

const finding = (ruleId: string, severity: Severity = 'high', file = LOCAL, extra: Partial<Finding> = {}): Finding => ({
  ruleId,
  severity,
  title: ruleId,
  message: ruleId,
  remediation: '',
  location: { file, line: 1, column: 1 },
  ...extra,
});

function input(findings: Finding[], config: Record<string, unknown>, options: NextStepInput['options'] = {}): NextStepInput {
  return { findings, rules: metas, get: (k) => config[k], options };
}

const AIO = {
  [`${CO}.token.inbox.header`]: 'AuthorizationJwt',
  [`${CO}.token.outbox.header`]: 'AuthorizationJwt',
  [`${CO}.ipfilter.rules`]: [{ address: '172.18.0.5', allowed: true }],
};

describe('nextStep', () => {
  it('keeps the header the install uses (AuthorizationJwt) and the integrator addresses already allowed', () => {
    const n = nextStep(input([finding('DSH301'), finding('DSH501')], AIO));
    expect(n).toEqual({
      fixes: ['DSH301', 'DSH501'],
      command: 'sudo ds-harden apply --allow 172.18.0.5 --generate-secret --header AuthorizationJwt --dry-run',
      complete: true,
    });
  });

  it('carries --root, --config-dir, --ds-version, --hostname and --supervisor-conf, quoted for the shell; no sudo below --root', () => {
    const n = nextStep(
      input([finding('DSH301')], AIO, { root: "/srv/ds copy/it's", configDir: '/var/www/onlyoffice/config', dsVersion: '9.3.0', hostname: 'ds1', supervisorConf: '/etc/supervisor/supervisord.conf' }),
    );
    expect(n!.command).toBe(
      "ds-harden apply --generate-secret --header AuthorizationJwt --dry-run --root '/srv/ds copy/it'\\''s' " +
        '--config-dir /var/www/onlyoffice/config --ds-version 9.3.0 --hostname ds1 --supervisor-conf /etc/supervisor/supervisord.conf',
    );
    expect(nextStep(input([finding('DSH301')], AIO, { root: '/' }))!.command.startsWith('sudo ds-harden apply')).toBe(true);
  });

  it('writes the allowed addresses as apply would: CIDR → glob, IPv6 normalized; loopback, "*" and duplicates left out', () => {
    const rulesValue = [
      { address: '192.168.10.0/24', allowed: true },
      { address: '::1', allowed: true },
      { address: '2001.0db8.0000.0000.0000.0000.0000.0005', allowed: true },
      { address: '10.0.0.0/12', allowed: true }, // no single glob: apply would refuse it
      { address: '192.168.10.*', allowed: true },
      { address: '203.0.113.9', allowed: false },
      { address: '*', allowed: true },
    ];
    const n = nextStep(input([finding('DSH500')], { [`${CO}.ipfilter.rules`]: rulesValue }));
    expect(n!.command).toBe("sudo ds-harden apply --allow '192.168.10.*' --allow 2001:db8:0:0:0:0:0:5 --dry-run");
  });

  it('leaves a placeholder (and says so) when no integrator address is known', () => {
    const n = nextStep(input([finding('DSH500')], { [`${CO}.ipfilter.rules`]: [{ address: '*', allowed: true }] }));
    expect(n).toMatchObject({ command: 'sudo ds-harden apply --allow <integrator IP> --dry-run', complete: false });
  });

  it('drops host names when useforrequest is on (apply refuses them there)', () => {
    const config = { [`${CO}.ipfilter.rules`]: [{ address: 'nextcloud.example.com', allowed: true }, { address: '10.0.0.5', allowed: true }], [`${CO}.ipfilter.useforrequest`]: true };
    expect(nextStep(input([finding('DSH501')], config))!.command).toBe('sudo ds-harden apply --allow 10.0.0.5 --dry-run');
    expect(nextStep(input([finding('DSH501')], { ...config, [`${CO}.ipfilter.useforrequest`]: false }))!.command).toContain('--allow nextcloud.example.com --allow 10.0.0.5');
  });

  it('asks only for what the findings need: JWT fixes get no --allow, ipfilter fixes no secret or header', () => {
    expect(nextStep(input([finding('DSH200', 'critical')], AIO))!.command).toBe('sudo ds-harden apply --generate-secret --header AuthorizationJwt --dry-run');
    expect(nextStep(input([finding('DSH501')], AIO))!.command).toBe('sudo ds-harden apply --allow 172.18.0.5 --dry-run');
  });

  it('has no command when apply cannot help: nothing fixable, only low findings, a later layer decides, or DS will not start', () => {
    expect(nextStep(input([finding('DSH114', 'low')], AIO))).toBeUndefined();
    expect(nextStep(input([finding('DSH501', 'low')], AIO))).toBeUndefined();
    expect(nextStep(input([finding('DSH501', 'high', '/var/www/onlyoffice/Data/runtime.json')], AIO))).toBeUndefined();
    expect(nextStep(input([finding('DSH501'), finding('DSH100', 'critical', LOCAL, { blocksStartup: true })], AIO))).toBeUndefined();
  });

  it('marks the command blocked when a layer out of reach decides a key it would write (apply would refuse)', () => {
    const runtime = '/var/www/onlyoffice/Data/runtime.json';
    const origin = (key: string) => (key === `${CO}.token.enable.browser` ? runtime : LOCAL);
    const n = nextStep({ ...input([finding('DSH203'), finding('DSH501')], AIO), originFile: origin });
    expect(n!.blockedBy).toEqual([{ key: `${CO}.token.enable.browser`, file: runtime }]);
    // an ipfilter-only fix writes no token key: not blocked
    expect(nextStep({ ...input([finding('DSH501')], AIO), originFile: origin })!.blockedBy).toBeUndefined();
  });

  it('shellWord quotes only what needs it', () => {
    expect(shellWord('10.0.0.5')).toBe('10.0.0.5');
    expect(shellWord('AuthorizationJwt')).toBe('AuthorizationJwt');
    expect(shellWord('10.*')).toBe("'10.*'");
    expect(shellWord("a b'c")).toBe("'a b'\\''c'");
  });
});
