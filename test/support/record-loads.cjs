'use strict';
// Preloaded with `node -r` by test/packaging/start-up.test.ts: records what a run of bin/ds-harden.cjs loads, into
// the JSON file named by $DSH_RECORD_LOADS at exit — the chunks (the launcher compiles each with one `new vm.Script`,
// named by its file) and Node's built-ins (process.moduleLoadList). Changes nothing the program does.
const fs = require('node:fs');
const vm = require('node:vm');
const chunks = [];
const Script = vm.Script;
vm.Script = class extends Script {
  constructor(code, options) {
    super(code, options);
    if (options && typeof options.filename === 'string') chunks.push(options.filename);
  }
};
process.once('exit', () => {
  const builtins = process.moduleLoadList.filter((m) => m.startsWith('NativeModule ')).map((m) => m.slice('NativeModule '.length));
  fs.writeFileSync(process.env.DSH_RECORD_LOADS, JSON.stringify({ chunks, builtins }));
});
