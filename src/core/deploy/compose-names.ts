/**
 * Compose's default file names, in the order it tries them (compose-go cli/options.go DefaultFileNames, and
 * DefaultOverrideFileNames for the override files). A module of their own so that detection can look for a compose file
 * without loading the compose reader and its YAML library (≈ 120 kB of code: scripts/BENCH-NOTES.md) on a host with none.
 */
export const COMPOSE_FILE_NAMES = ['compose.yaml', 'compose.yml', 'docker-compose.yml', 'docker-compose.yaml'] as const;
export const OVERRIDE_NAMES = ['compose.override.yaml', 'compose.override.yml', 'docker-compose.override.yml', 'docker-compose.override.yaml'] as const;
