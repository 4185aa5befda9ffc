// Records what node_modules was installed from (the lockfile and the patches, byte for byte), so that Couchwork
// installs again when either changes; TestServerInstall compares the same bytes.
const fs = require('fs');
const path = require('path');
const patches = fs.existsSync('patches')
  ? fs.readdirSync('patches').sort().map((name) => fs.readFileSync(path.join('patches', name)))
  : [];
fs.writeFileSync(path.join('node_modules', '.couchwork-installed'),
  Buffer.concat([fs.readFileSync('package-lock.json'), ...patches]));
