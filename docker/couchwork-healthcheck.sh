#!/bin/sh
# The couchwork service's healthcheck: GET /observe/health/ready (Camel's readiness, DOWN while CouchDB is unreachable)
# on Couchwork's own port, as the dashboard's user: COUCHWORK_HTTP_USER with COUCHWORK_HTTP_PASSWORD, or the password
# in the file COUCHWORK_HTTP_PASSWORD_FILE names. curl gets the credentials on its standard input (printf is a shell
# builtin), so they never show in a process list. Exits 0 when ready. Runs under any POSIX sh (dash).
set -eu

port=${COUCHWORK_HTTP_PORT:-8080}
user=${COUCHWORK_HTTP_USER:-}
if [ -n "${COUCHWORK_HTTP_PASSWORD_FILE:-}" ]; then
  password=$(cat -- "$COUCHWORK_HTTP_PASSWORD_FILE")
  password=${password%"$(printf '\r')"}
else
  password=${COUCHWORK_HTTP_PASSWORD:-}
fi

# a value in curl's configuration syntax: double-quoted, with \ and " escaped
quoted() {
  printf '%s' "$1" | sed -e 's/\\/\\\\/g' -e 's/"/\\"/g'
}

{
  if [ -n "$user" ]; then
    printf 'user = "%s"\n' "$(quoted "$user:$password")"
  fi
} | curl --fail --silent --show-error --max-time 5 --output /dev/null --config - \
  "http://127.0.0.1:$port/observe/health/ready"
