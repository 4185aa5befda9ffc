#!/bin/sh
# couchwork-entrypoint.sh COMMAND [ARG...]: the compose service's entrypoint, for /opt/couchwork/bin/couchwork run.
#
# Couchwork exits 77 when CouchDB refuses its credentials or access, 78 on a configuration error and 2 on a usage error
# in its command, after printing why. Restarting cannot help: it would meet the same error again, in a loop. Docker's
# restart policies cannot exclude exit codes ("on-failure" restarts on every non-zero one), so for the worker (`run`)
# this wrapper prints what happened and exits 0 on those codes: "restart: on-failure" then leaves the container stopped,
# the cause in the last lines of its log. Every other exit code passes through, so a crash, or 69 (CouchDB unreachable
# for couchwork.couchdb.wait-for-server), is restarted. Other commands (status, tokens ...) are exec'd as they are and
# keep their exit codes. SIGTERM and SIGINT are passed on to Couchwork, which stops gracefully; the wrapper then exits
# with Couchwork's exit code. Runs under any POSIX sh (dash: the image's /bin/sh).
set -u

if [ $# -eq 0 ]; then
  echo "couchwork-entrypoint: usage: couchwork-entrypoint.sh COMMAND [ARG...]" >&2
  exit 64
fi
no_restart="2 77 78"

# the subcommand: the first argument after the program that is not an option
subcommand=
first=true
for arg do
  if $first; then first=false; continue; fi
  case $arg in
    -*) ;;
    *) subcommand=$arg; break ;;
  esac
done
if [ "$subcommand" != run ]; then
  exec "$@"
fi

"$@" &
child=$!
trap 'kill -TERM "$child" 2>/dev/null' TERM
trap 'kill -INT "$child" 2>/dev/null' INT
while :; do
  wait "$child"
  status=$?
  # a trapped signal ends `wait` early (status above 128) while Couchwork is still stopping: wait for its own code
  if [ "$status" -gt 128 ] && kill -0 "$child" 2>/dev/null; then
    continue
  fi
  break
done

case " $no_restart " in
  *" $status "*)
    case $status in
      2) why="a usage error in the service's command" ;;
      77) why="CouchDB refused Couchwork's credentials or access to its database" ;;
      *) why="a configuration error" ;;
    esac
    echo "couchwork-entrypoint: Couchwork exited with code $status, $why (the reason is above). Exiting 0 instead, so" \
      "that the restart policy does not start it into the same error again; correct it, then: docker compose up -d" >&2
    exit 0
    ;;
esac
exit "$status"
