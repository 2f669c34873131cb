declare module 'json5-v1' {
  const JSON5: { parse(text: string): unknown; stringify(value: unknown): string };
  export default JSON5;
}
