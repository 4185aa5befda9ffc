#!/bin/sh
# file-env.sh NAME... -- COMMAND [ARG...]
# For each NAME whose NAME_FILE is set (not empty), sets NAME to the contents of that file, trailing line breaks
# removed, as Docker secrets are read, then runs COMMAND. NAME and NAME_FILE both set (NAME even empty), or a file it
# cannot read, is a configuration error (exit 78) naming the variables and the path; the value is never printed.
# The official CouchDB image reads COUCHDB_PASSWORD from its environment only: docker-compose.yml starts the image's
# own entrypoint through this script so that COUCHDB_PASSWORD_FILE works too. Runs under any POSIX sh (dash).
set -eu

names=
while [ $# -gt 0 ] && [ "$1" != -- ]; do
  case $1 in
    '' | [0-9]* | *[!A-Za-z0-9_]*) echo "file-env.sh: not a variable name: '$1'" >&2; exit 64 ;;
  esac
  names="$names $1"
  shift
done
if [ $# -lt 2 ]; then
  echo "file-env.sh: usage: file-env.sh NAME... -- COMMAND [ARG...]" >&2
  exit 64
fi
shift

nl='
'
cr=$(printf '\r')
for name in $names; do
  eval "path=\${${name}_FILE:-}"
  [ -n "$path" ] || continue
  if eval "[ -n \"\${$name+set}\" ]"; then
    echo "file-env.sh: $name and ${name}_FILE are both set: set only one of them" >&2
    exit 78
  fi
  if [ -d "$path" ] || [ ! -r "$path" ]; then
    if [ -d "$path" ]; then why="a directory, not a file"; elif [ -e "$path" ]; then why="permission denied"; else why="no such file"; fi
    echo "file-env.sh: cannot read ${name}_FILE ($path): $why" >&2
    exit 78
  fi
  value=$(cat -- "$path")
  while :; do
    case $value in
      *"$nl" | *"$cr") value=${value%?} ;;
      *) break ;;
    esac
  done
  export "$name=$value"
  unset "${name}_FILE"
done
exec "$@"
