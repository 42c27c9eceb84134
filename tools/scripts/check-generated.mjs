// Fails when libs/proto/src/gen is not exactly what `buf generate` makes from proto/:
// generated code is produced by the build, never edited by hand, and never stale.
import { execFileSync } from 'node:child_process';

const run = (cmd, args, opts = {}) => execFileSync(cmd, args, { encoding: 'utf8', ...opts });
run('npx', ['buf', 'lint'], { cwd: 'proto', stdio: 'inherit' });
run('npx', ['buf', 'generate'], { cwd: 'proto', stdio: 'inherit' });
const status = run('git', ['status', '--porcelain', '--', 'libs/proto/src/gen']);
if (status.trim() !== '') {
  console.error('Generated code is stale: `npm run generate` changes these files:\n' + status);
  console.error('Run `npm run generate` and commit the result.');
  process.exit(1);
}
console.log('generated code is fresh');
