// Parses each file named on the command line with the tree-sitter PowerShell grammar and
// prints every ERROR or MISSING node; exits 1 if any file has one.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
const require = createRequire(import.meta.url);
const mod = await import('web-tree-sitter');
const Parser = mod.Parser ?? mod.default;
const Language = mod.Language ?? Parser.Language;
await Parser.init();
const wasm = join(dirname(require.resolve('tree-sitter-powershell/package.json')), 'tree-sitter-powershell.wasm');
const language = await Language.load(readFileSync(wasm));
const parser = new Parser();
parser.setLanguage(language);
let bad = 0;
for (const file of process.argv.slice(2)) {
  const tree = parser.parse(readFileSync(file, 'utf8'));
  const errors = [];
  const walk = (node) => {
    if (node.type === 'ERROR' || node.isMissing) {
      errors.push(`${file}:${node.startPosition.row + 1}:${node.startPosition.column + 1}: ${node.isMissing ? 'missing ' + node.type : 'syntax error'}`);
    }
    if (node.hasError || node.type === 'ERROR') for (const child of node.children) walk(child);
  };
  walk(tree.rootNode);
  if (errors.length) { bad++; console.log(errors.slice(0, 20).join('\n')); }
  else console.log(`${file}: ok`);
}
process.exit(bad ? 1 : 0);
