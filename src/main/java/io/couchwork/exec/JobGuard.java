package io.couchwork.exec;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One long-lived shell per worker process that kills every running job's process group once the worker is gone. The
 * worker writes "+PGID" when a job starts and "-PGID" when it ends to the guard's standard input; when the worker dies
 * in any way (SIGKILL and the OOM killer included) the kernel closes that pipe, the guard's blocking read ends, and it
 * kills the groups still registered: no polling, no process per job. Each job runs in a session of its own (setsid,
 * exec'd in place, so no extra fork), which takes its children and grandchildren along, background ones included; a
 * job that puts itself into yet another session (a daemon) is out of reach. The guard also sends a job's group the
 * signals that end it at its timeout, and cleans up what a finished job left running in the background, since Java can
 * only signal single processes.
 */
public final class JobGuard {

    private static final Logger LOG = LoggerFactory.getLogger(JobGuard.class);

    /*
     * POSIX sh as dash, bash and busybox run it: read and case are built in, so the guard never forks until the end.
     * `kill -SIG -PGID` is the one spelling of a group kill all three accept (dash rejects `--`, busybox too).
     * "-PGID" both forgets the group and sends TERM to what the job left behind (the group is empty as a rule).
     */
    static final String SCRIPT = """
            jobs=' '
            while IFS= read -r line; do
              case $line in
                +*) jobs="$jobs${line#+} " ;;
                -*) pg=${line#-}
                    kill -TERM -"$pg" 2>/dev/null
                    case $jobs in *" $pg "*) jobs="${jobs%% $pg *} ${jobs#* $pg }" ;; esac ;;
                TERM\\ *) kill -TERM -"${line#TERM }" 2>/dev/null ;;
                KILL\\ *) kill -KILL -"${line#KILL }" 2>/dev/null ;;
              esac
            done
            for pg in $jobs; do kill -KILL -"$pg" 2>/dev/null; done
            """;

    private static final Map<String, JobGuard> BY_SHELL = new ConcurrentHashMap<>();

    private final String shell;
    private final Optional<String> setsid;
    private final Set<Long> groups = ConcurrentHashMap.newKeySet();
    private Process guard;
    private OutputStream commands;

    private JobGuard(String shell, Optional<String> setsid) {
        this.shell = shell;
        this.setsid = setsid;
        if (setsid.isEmpty()) {
            LOG.warn("No setsid on the PATH: a job's child processes can outlive a worker that is killed outright");
        }
    }

    /** The guard for jobs run by {@code shell}, started on first use. */
    public static JobGuard forShell(String shell) {
        return BY_SHELL.computeIfAbsent(shell, s -> new JobGuard(s, findOnPath("setsid")));
    }

    /** The argument vector that runs {@code command} with this guard's shell, in a session of its own. */
    public List<String> argv(String command) {
        return setsid.map(s -> List.of(s, shell, "-c", command)).orElseGet(() -> List.of(shell, "-c", command));
    }

    /** A job started: its process (the leader of its own group) is killed with the worker from now on. */
    public void started(Process job) {
        long group = job.pid();
        groups.add(group);
        send("+" + group);
    }

    /** A job's shell ended (and was reaped): its group is forgotten, after a TERM to anything it left running. */
    public void ended(Process job) {
        long group = job.pid();
        if (groups.remove(group)) {
            send("-" + group);
        }
    }

    /** Sends SIGTERM (or SIGKILL) to the whole process group of a running job. */
    public void signal(Process job, boolean kill) {
        if (groups.contains(job.pid())) {
            send((kill ? "KILL " : "TERM ") + job.pid());
        }
    }

    /** Whether jobs get a session (and so a process group) of their own, which the guard can kill as a whole. */
    public boolean isolatesJobs() {
        return setsid.isPresent();
    }

    private synchronized void send(String line) {
        for (int attempt = 1; attempt <= 2; attempt++) {
            try {
                ensureRunning();
                commands.write((line + "\n").getBytes(StandardCharsets.US_ASCII));
                commands.flush();
                return;
            } catch (IOException e) {
                // the guard itself was killed: start a new one and tell it about every running job
                LOG.warn("The job guard ended ({}); starting a new one", e.getMessage());
                guard = null;
            }
        }
        LOG.error("Cannot reach the job guard: jobs running now may outlive this worker if it is killed outright");
    }

    private void ensureRunning() throws IOException {
        if (guard != null && guard.isAlive()) {
            return;
        }
        // a session of its own: a signal to the worker's process group (Ctrl-C, a scheduler) must not take the guard
        List<String> argv = setsid.map(s -> List.of(s, shell, "-c", SCRIPT, "couchwork-guard"))
                .orElseGet(() -> List.of(shell, "-c", SCRIPT, "couchwork-guard"));
        guard = new ProcessBuilder(argv)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        commands = guard.getOutputStream();
        StringBuilder known = new StringBuilder();
        for (long group : groups) {
            known.append('+').append(group).append('\n');
        }
        commands.write(known.toString().getBytes(StandardCharsets.US_ASCII));
        commands.flush();
    }

    /** The guard's own process, while it runs (for tests). */
    synchronized Optional<ProcessHandle> process() {
        return guard == null ? Optional.empty() : Optional.of(guard.toHandle());
    }

    static Optional<String> findOnPath(String name) {
        String path = System.getenv().getOrDefault("PATH", "/usr/bin:/bin:/usr/sbin:/sbin");
        for (String dir : (path + ":/usr/bin:/bin").split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, name))) {
                return Optional.of(Path.of(dir, name).toString());
            }
        }
        return Optional.empty();
    }
}
