#!/bin/sh
# Run by ./mvnw verify before anything is built (skipped with -DskipTests): what the tests need that Maven cannot
# fetch, one line per missing piece, so that a machine set up short fails in seconds, not minutes in.
missing=0
lack() {
  echo "couchwork tests: $1" >&2
  missing=1
}
if [ -z "${COUCHDB_URL:-}" ]; then
  command -v node >/dev/null 2>&1 \
    || lack "node is missing: the tests start the bundled CouchDB-API server with it (apt-get install nodejs npm)"
  command -v npm >/dev/null 2>&1 \
    || lack "npm is missing: it installs the bundled CouchDB-API server (apt-get install npm)"
fi
[ -x /usr/bin/chromium ] \
  || lack "/usr/bin/chromium is missing: the dashboard test drives it headless (apt-get install chromium)"
[ -x /usr/bin/chromedriver ] \
  || lack "/usr/bin/chromedriver is missing: the dashboard test drives chromium with it (apt-get install chromium-driver)"
if [ "$missing" -ne 0 ]; then
  echo "couchwork tests: install the above (README, Getting started) and run ./mvnw verify again" >&2
  exit 1
fi
command -v busybox >/dev/null 2>&1 \
  || echo "couchwork tests: busybox is not installed: the job shell's busybox sh case is skipped (apt-get install busybox)" >&2
exit 0
