/**
 * Host names as servers compare them with the Host header (pure).
 *
 * Facts: RFC 1123 §2.1 and RFC 1035 §2.3.1 ("LDH" labels: letters, digits and hyphens, 1–63 characters, neither
 * first nor last a hyphen; at most 253 characters in all); a name whose last label is all digits is read as an IPv4
 * address by URL parsers and resolvers (WHATWG URL Standard, "ends in a number"), so it is not taken as a name. An
 * internationalised name reaches a server in its ASCII form (RFC 5891 Punycode), which node:url's domainToASCII (the
 * URL Standard's domain-to-ASCII) computes — the message offers it.
 */
import { domainToASCII } from 'node:url';

const LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

/**
 * Why `name` is not a DNS host name, as a phrase to follow "name: " (e.g. `"a_b" is not a DNS label (…)`), or
 * undefined when it is one. Case is not judged (servers compare names case-insensitively).
 */
export function hostNameProblem(name: string): string | undefined {
  if (name === '') return 'empty';
  if (/[^.]\.$/.test(name)) return `write it without the trailing dot (${name.slice(0, -1)})`;
  if (/[^\x21-\x7e]/.test(name)) {
    const ascii = /[\u0000-\u0020\u007f-\u009f]/.test(name) ? '' : domainToASCII(name);
    return ascii && ascii !== name && hostNameProblem(ascii) === undefined ? `write it in its ASCII (Punycode) form, ${ascii}` : 'not a host name (letters, digits, "-" and "." only)';
  }
  if (name.length > 253) return 'longer than the 253 characters of a DNS name';
  const labels = name.split('.');
  const bad = labels.find((l) => !LABEL.test(l));
  if (bad !== undefined) return bad === '' ? 'has an empty label (".." or a leading ".")' : `"${bad}" is not a DNS label (letters, digits and "-", 1–63 characters, not starting or ending with "-")`;
  if (/^\d+$/.test(labels[labels.length - 1]!)) return 'ends in a number, so it reads as an IPv4 address (write four numbers 0–255, e.g. 192.168.10.30)';
  return undefined;
}
