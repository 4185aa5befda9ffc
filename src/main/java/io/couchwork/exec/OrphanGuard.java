package io.couchwork.exec;

import java.util.List;

/**
 * Wraps a shell command so that it dies with the worker: a worker killed outright (SIGKILL, OOM killer) cannot stop
 * its jobs, and a job left running would overlap the token's re-run after the lease. The command runs in a session
 * of its own (setsid, where there is one), and a watcher kills that whole process group once the worker's process is
 * gone, within a second.
 */
final class OrphanGuard {

    // $1: the command, $2: the worker's pid. The watcher's `sleep 1` is the only polling: one fork a second per job.
    private static final String SUPERVISOR = """
            if command -v setsid >/dev/null 2>&1; then setsid /bin/sh -c "$1" & else /bin/sh -c "$1" & fi
            job=$!
            ( while kill -0 "$2" 2>/dev/null; do sleep 1; done
              kill -KILL -- "-$job" 2>/dev/null || kill -KILL "$job" ) >/dev/null 2>&1 </dev/null &
            watcher=$!
            wait "$job"
            code=$?
            kill "$watcher" 2>/dev/null
            exit "$code"
            """;

    private OrphanGuard() {}

    /** The argument vector that runs {@code command} with /bin/sh, guarded against outliving this JVM. */
    static List<String> argv(String command) {
        return List.of("/bin/sh", "-c", SUPERVISOR, "couchwork-job", command,
                Long.toString(ProcessHandle.current().pid()));
    }
}
