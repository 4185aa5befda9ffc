#!/bin/sh
# The couchdb-init service of docker-compose.yml: prepares CouchDB for Couchwork, then exits (0 when all is in place).
# Safe to run at every `docker compose up`:
#   1. Couchwork's own CouchDB account (COUCHWORK_COUCHDB_USER) in _users: created, or its password set anew when it
#      no longer logs in with COUCHWORK_COUCHDB_PASSWORD; its roles are kept;
#   2. the database (COUCHDB_DATABASE), created when missing;
#   3. the database's _security naming that account as admin and member of this one database. A database admin, not
#      a server admin: Couchwork installs and upgrades its design documents (views) at start, which CouchDB 3 allows
#      only database admins, and it needs nothing of the server beyond its database. A _security someone has set
#      otherwise is left alone: it must already name the account, else this fails and says what to add.
# It talks to CouchDB (COUCHDB_URL) with curl as the server admin (COUCHDB_USER, COUCHDB_PASSWORD); passwords reach
# curl on its standard input (printf is a shell builtin), never on a command line. Runs under any POSIX sh (dash).
set -eu

url=${COUCHDB_URL:-http://couchdb:5984}
url=${url%/}
admin=${COUCHDB_USER:-admin}
admin_password=${COUCHDB_PASSWORD:-}
worker=${COUCHWORK_COUCHDB_USER:-couchwork}
worker_password=${COUCHWORK_COUCHDB_PASSWORD:-}
database=${COUCHDB_DATABASE:-couchwork}
attempts=${COUCHDB_INIT_ATTEMPTS:-30}

fail() {
  echo "couchdb-init: $*" >&2
  exit 1
}

[ -n "$admin_password" ] || fail "set COUCHDB_PASSWORD or COUCHDB_PASSWORD_FILE (the CouchDB server admin's password)"
[ -n "$worker_password" ] || fail "set COUCHWORK_COUCHDB_PASSWORD or COUCHWORK_COUCHDB_PASSWORD_FILE (the password of" \
  "Couchwork's own CouchDB account, $worker)"
case $worker in
  '' | *[!A-Za-z0-9._-]*) fail "COUCHWORK_COUCHDB_USER '$worker': use letters, digits, '.', '_' and '-' only" ;;
esac
[ "$worker" != "$admin" ] || fail "COUCHWORK_COUCHDB_USER is the server admin ($admin): give Couchwork an account of" \
  "its own"
case $database in
  [a-z]*) ;;
  *) fail "COUCHDB_DATABASE '$database': CouchDB database names start with a lowercase letter" ;;
esac
case $database in
  *[!a-z0-9_\$\(\)+/-]*) fail "COUCHDB_DATABASE '$database': CouchDB database names contain only a-z, 0-9 and _\$()+-/" ;;
esac
for password in "$admin_password" "$worker_password"; do
  case $password in
    *[[:cntrl:]]*) fail "a password holds a control character (a line break?): CouchDB accounts cannot use it" ;;
  esac
done
db_path=$(printf '%s' "$database" | sed -e 's|/|%2F|g' -e 's/\$/%24/g' -e 's/(/%28/g' -e 's/)/%29/g' -e 's/+/%2B/g')
nl='
'

# a value in curl's configuration syntax (double-quoted, \ and " escaped); JSON strings escape the same two
escaped() {
  printf '%s' "$1" | sed -e 's/\\/\\\\/g' -e 's/"/\\"/g'
}

# request METHOD PATH USER PASSWORD [JSON]: sets status (000: no answer) and body
request() {
  config="user = \"$(escaped "$3:$4")\""
  if [ $# -ge 5 ]; then
    config="$config${nl}header = \"Content-Type: application/json\"${nl}data-binary = \"$(escaped "$5")\""
  fi
  if response=$(printf '%s\n' "$config" | curl --silent --max-time 30 --config - --request "$1" \
      --write-out '%{http_code}' "$url$2"); then
    body=${response%???}
    status=${response#"$body"}
  else
    body=
    status=000
  fi
}

unexpected() {
  fail "$1 answered HTTP $status: $body"
}

# 0. CouchDB answers, and accepts the server admin
attempt=1
while :; do
  request GET /_session "$admin" "$admin_password"
  case $status in
    200) break ;;
    401) fail "CouchDB at $url rejected the server admin $admin: check COUCHDB_USER and COUCHDB_PASSWORD" ;;
  esac
  [ "$attempt" -lt "$attempts" ] || fail "CouchDB at $url did not answer (last: HTTP $status) after $attempts attempts"
  attempt=$((attempt + 1))
  sleep 2
done

# 1. Couchwork's account
request GET /_session "$worker" "$worker_password"
if [ "$status" = 200 ] && printf '%s' "$body" | grep -q "\"name\":\"$worker\""; then
  echo "couchdb-init: account $worker logs in"
else
  request GET "/_users/org.couchdb.user:$worker" "$admin" "$admin_password"
  case $status in
    200)
      rev=$(printf '%s' "$body" | sed -n 's/.*"_rev":"\([^"]*\)".*/\1/p')
      roles=$(printf '%s' "$body" | sed -n 's/.*"roles":\(\[[^]]*\]\).*/\1/p')
      revision=",\"_rev\":\"$rev\""
      done_what="set the password of account $worker"
      ;;
    404)
      roles=
      revision=
      done_what="created account $worker"
      ;;
    *) unexpected "GET /_users/org.couchdb.user:$worker" ;;
  esac
  request PUT "/_users/org.couchdb.user:$worker" "$admin" "$admin_password" \
    "{\"_id\":\"org.couchdb.user:$worker\"$revision,\"name\":\"$worker\",\"type\":\"user\",\"roles\":${roles:-[]},\"password\":\"$(escaped "$worker_password")\"}"
  case $status in
    201 | 202) echo "couchdb-init: $done_what" ;;
    *) unexpected "PUT /_users/org.couchdb.user:$worker" ;;
  esac
fi

# 2. the database
request PUT "/$db_path" "$admin" "$admin_password"
case $status in
  201 | 202) echo "couchdb-init: created database $database" ;;
  412) echo "couchdb-init: database $database exists" ;;
  *) unexpected "PUT /$db_path" ;;
esac

# 3. its _security
request GET "/$db_path/_security" "$admin" "$admin_password"
[ "$status" = 200 ] || unexpected "GET /$db_path/_security"
security=$body
names_of() {
  printf '%s' "$security" | sed -n "s/.*\"$1\":{[^}]*\"names\":\\[\\([^]]*\\)\\].*/\\1/p"
}
case ",$(names_of admins)," in
  *",\"$worker\","*) is_admin=true ;;
  *) is_admin=false ;;
esac
case ",$(names_of members)," in
  *",\"$worker\","*) is_member=true ;;
  *) is_member=false ;;
esac
if $is_admin && $is_member; then
  echo "couchdb-init: $worker is admin and member of database $database"
else
  # CouchDB 3's default for a new database: only server admins (the _admin role), no names
  case $(printf '%s' "$security" | sed 's/\["_admin"\]/[]/g') in
    *'["'*)
      fail "database $database has its own _security ($security) without $worker as admin and member: add" \
        "\"$worker\" to both admins.names and members.names (Couchwork installs design documents, which only" \
        "database admins may), e.g. in Fauxton's Permissions page, then run docker compose up again" ;;
  esac
  request PUT "/$db_path/_security" "$admin" "$admin_password" \
    "{\"admins\":{\"names\":[\"$worker\"],\"roles\":[\"_admin\"]},\"members\":{\"names\":[\"$worker\"],\"roles\":[\"_admin\"]}}"
  [ "$status" = 200 ] || unexpected "PUT /$db_path/_security"
  echo "couchdb-init: made $worker admin and member of database $database"
fi
echo "couchdb-init: CouchDB at $url is ready for Couchwork (account $worker, database $database)"
