// better-sqlite3 is a native addon compiled for one runtime at a time: Node (npm run serve, the
// tests) or Electron (npm start, which has another ABI). This makes sure the compiled copy in
// node_modules matches the runtime about to start, rebuilding it only when it does not, so a
// developer can switch between `npm start` and `npm test` without remembering a command.
//   node scripts/native-runtime.mjs node      -> npm rebuild better-sqlite3 if it cannot load in Node
//   node scripts/native-runtime.mjs electron  -> electron-builder install-app-deps if it still loads in Node
import { execSync, spawnSync } from 'node:child_process';

const target = process.argv[2];
if (target !== 'node' && target !== 'electron') {
  process.stderr.write('usage: native-runtime.mjs node|electron\n');
  process.exit(2);
}

// Load it in a child process: a failed native load can leave the current process in a bad state.
const probe = spawnSync(process.execPath, ['-e', "new (require('better-sqlite3'))(':memory:').close()"], { encoding: 'utf8' });
const loadsInNode = probe.status === 0;
const builtForOtherAbi = /NODE_MODULE_VERSION|was compiled against a different Node\.js version/.test(probe.stderr);

if (target === 'node' && !loadsInNode) {
  if (!builtForOtherAbi) {
    process.stderr.write(probe.stderr);
    process.exit(1);
  }
  process.stderr.write('better-sqlite3 is built for Electron; rebuilding it for Node (npm rebuild better-sqlite3)...\n');
  execSync('npm rebuild better-sqlite3', { stdio: 'inherit' });
} else if (target === 'electron' && loadsInNode) {
  const [major, minor] = process.versions.node.split('.').map(Number);
  const oldNode = major < 22 || (major === 22 && minor < 12);
  process.stderr.write('better-sqlite3 is built for Node; rebuilding it for Electron (electron-builder install-app-deps)...\n');
  try {
    execSync('npx electron-builder install-app-deps', { stdio: 'inherit' });
  } catch {
    // its own output above has the details; this is the one line that says what to do
    process.stderr.write(
      "error: better-sqlite3 could not be rebuilt for Electron: that needs Electron's headers (a download) and a C++ toolchain " +
        '(Python 3, make and a compiler: build-essential, Xcode command line tools or Visual Studio Build Tools). ' +
        `${oldNode ? `Electron's rebuild tools also want Node 22.12 or later (this is Node ${process.versions.node}). ` : ''}` +
        'Connect this machine and run `npm start` again; `npm run serve` and the tests keep working meanwhile.\n',
    );
    process.exit(1);
  }
}
