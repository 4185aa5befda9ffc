#!/bin/sh
# A Slurm array job of Couchwork pilots: each array task drains the token pool until it is empty, its walltime runs
# out or it has been idle for a while, then exits with a code this script acts on. Submit from a Couchwork folder:
#   sbatch examples/pilots/slurm-array-pilot.sh
# Couchwork reads the walltime from SLURM_JOB_END_TIME, claims only tokens whose timeout fits the time left, and
# writes slurm_job_id (<array job>_<task>) into every token it claims.
#SBATCH --job-name=couchwork-pilot
#SBATCH --array=1-10
#SBATCH --time=04:00:00
#SBATCH --cpus-per-task=4
#SBATCH --output=couchwork-pilot-%A_%a.log

# The launcher, and the pool (COUCHDB_URL, COUCHDB_DATABASE, COUCHDB_USER, COUCHDB_PASSWORD), from the environment
COUCHWORK=${COUCHWORK:-bin/couchwork}
IDLE_TIMEOUT=${IDLE_TIMEOUT:-10m}

"$COUCHWORK" run --until-empty --idle-timeout "$IDLE_TIMEOUT" \
    -D couchwork.pool.concurrency="${SLURM_CPUS_PER_TASK:-1}" "$@"
status=$?

case $status in
    0) echo "pilot ${SLURM_ARRAY_JOB_ID:-?}_${SLURM_ARRAY_TASK_ID:-?}: pool drained" ;;
    3) echo "pilot ${SLURM_ARRAY_JOB_ID:-?}_${SLURM_ARRAY_TASK_ID:-?}: nothing to run for $IDLE_TIMEOUT" ;;
    75) echo "pilot ${SLURM_ARRAY_JOB_ID:-?}_${SLURM_ARRAY_TASK_ID:-?}: walltime reached with work left;" \
        "submit more pilots (sbatch $0)" ;;
    *) echo "pilot ${SLURM_ARRAY_JOB_ID:-?}_${SLURM_ARRAY_TASK_ID:-?}: couchwork failed with exit code $status" >&2 ;;
esac
exit $status
