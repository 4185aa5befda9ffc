#!/bin/sh
# A grid pilot (DIRAC, a plain batch system, any node with Java and a Couchwork folder): runs Couchwork until the
# token pool is drained, at most MAX_TIME and at most MAX_TOKENS tokens, then reports why it stopped. POSIX sh only:
# grid worker nodes often have dash or busybox as /bin/sh. Couchwork writes dirac_job_id (DIRACJOBID), pbs_job_id
# (PBS_JOBID) or slurm_job_id into the tokens it claims, and takes the walltime from PBS_WALLTIME or
# SLURM_JOB_END_TIME when the batch system sets them.
#
# Environment: COUCHWORK (the launcher, default bin/couchwork), COUCHDB_URL, COUCHDB_DATABASE, COUCHDB_USER,
# COUCHDB_PASSWORD (the pool), MAX_TIME (e.g. 12h; default none), MAX_TOKENS (default none), IDLE_TIMEOUT (default
# 5m). Extra arguments go to couchwork run (e.g. -D couchwork.pool.concurrency=8).

COUCHWORK=${COUCHWORK:-bin/couchwork}
IDLE_TIMEOUT=${IDLE_TIMEOUT:-5m}

set -- run --until-empty --idle-timeout "$IDLE_TIMEOUT" "$@"
if [ -n "${MAX_TIME:-}" ]; then
    set -- "$@" --max-time "$MAX_TIME"
fi
if [ -n "${MAX_TOKENS:-}" ]; then
    set -- "$@" --max-tokens "$MAX_TOKENS"
fi

echo "pilot on $(hostname) started at $(date -u +%Y-%m-%dT%H:%M:%SZ)"
"$COUCHWORK" "$@"
status=$?

case $status in
    0) echo "pilot: pool drained or its tokens done" ;;
    3) echo "pilot: idle for $IDLE_TIMEOUT, nothing to run" ;;
    75) echo "pilot: time limit reached with work left" ;;
    78) echo "pilot: configuration error, see above" >&2 ;;
    *) echo "pilot: couchwork failed with exit code $status" >&2 ;;
esac
exit $status
