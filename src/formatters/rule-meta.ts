/**
 * Options shared by the machine-readable formatters. `showSecrets` is accepted for symmetry with the
 * other outputs; findings never carry config values, so neither formatter has anything to reveal or hide.
 */
export interface MachineFormatOptions {
  readonly showSecrets: boolean;
}
