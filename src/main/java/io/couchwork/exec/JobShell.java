package io.couchwork.exec;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts the worker's jobs, and kills them all should the worker die. Each job is started by the worker itself
 * ({@code setsid SHELL DIR/job.sh}: one process start, as a bare {@code sh -c} from Java, with the output in
 * {@code DIR/stdout.log} and {@code DIR/stderr.log}), in a session and process group of its own, so that the job and
 * everything it starts, background processes included, can be stopped as one. The worker, being the parent, learns each
 * job's exit status from the kernel. One long-lived guard shell per worker and shell program holds the list of running
 * jobs' groups, sent down its standard input: when the worker dies in any way (SIGKILL and the OOM killer included) the
 * kernel closes that pipe, the guard's read ends, and it kills every listed group. No polling and no process per job
 * but the job's own. Out of reach: a job that puts itself into another session (a daemon), and a job started in the
 * instant between its start and its line reaching the guard. Should someone kill the guard, running jobs go on and
 * report as before, and the next job starts a new guard that is told of every job still running.
 */
public final class JobShell {

    private static final Logger LOG = LoggerFactory.getLogger(JobShell.class);

    /*
     * POSIX sh as dash, bash and busybox run it, with builtins only (no process per line). "kill -KILL -N" signals the
     * process group N, which setsid made the job's; without setsid the job shares the worker's group, and only the job's
     * own process can be killed. A job that ended leaving background processes behind stays listed ("left") while its
     * group has a member ("kill -0"), so they too die with the worker; a group id cannot be reused while a member, even
     * a zombie, holds it.
     */
    static final String GUARD = """
            groups= left=
            while IFS=' ' read -r op pid; do
              case $op in
                watch) groups="$groups $pid" ;;
                forget)
                  rest=; for g in $groups; do [ "$g" = "$pid" ] || rest="$rest $g"; done; groups=$rest
                  kept=; for g in $left $pid; do kill -0 -"$g" 2>/dev/null && kept="$kept $g"; done; left=$kept ;;
                term) kill -TERM -"$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null ;;
                kill) kill -KILL -"$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null ;;
              esac
            done
            for g in $groups $left; do kill -KILL -"$g" 2>/dev/null || kill -KILL "$g" 2>/dev/null; done
            """;

    private static final Map<String, JobShell> BY_SHELL = new ConcurrentHashMap<>();

    /** A started job: its process id once known, and its exit status (128 + signal when killed). */
    public record Started(CompletableFuture<Long> pid, CompletableFuture<Integer> status) {}

    private final String shell;
    private final Optional<String> setsid;
    private final Set<Long> running = ConcurrentHashMap.newKeySet();
    private Process guard;
    private OutputStream commands;

    private JobShell(String shell, Optional<String> setsid) {
        this.shell = shell;
        this.setsid = setsid;
        if (setsid.isEmpty()) {
            LOG.warn("No setsid on the PATH: shell jobs can outlive a worker that is killed outright");
        }
    }

    /** The job shell for jobs run by {@code shell}, started on first use. */
    public static JobShell forShell(String shell) {
        return BY_SHELL.computeIfAbsent(shell, s -> new JobShell(s, findOnPath("setsid")));
    }

    /**
     * Starts {@code dir/job.sh} with this shell; its output goes to {@code dir/stdout.log} and {@code dir/stderr.log}.
     * The job inherits the worker's environment less the worker's credentials; the script sets the rest.
     */
    public Started start(Path dir) throws IOException {
        String script = dir.resolve("job.sh").toAbsolutePath().toString();
        List<String> argv = setsid.map(s -> List.of(s, shell, script)).orElseGet(() -> List.of(shell, script));
        ProcessBuilder builder = new ProcessBuilder(argv).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(dir.resolve("stdout.log").toFile()).redirectError(dir.resolve("stderr.log").toFile());
        JobEnvironment.withoutCredentials(builder.environment());
        Process job;
        try {
            job = builder.start();
        } catch (IOException e) {
            throw new IOException("cannot start the job with " + shell + ": " + e.getMessage(), e);
        }
        long pid = job.pid();
        running.add(pid);
        tell("watch " + pid);
        CompletableFuture<Integer> status = job.onExit().thenApply(ended -> {
            running.remove(pid);
            tell("forget " + pid);
            return ended.exitValue();
        });
        return new Started(CompletableFuture.completedFuture(pid), status);
    }

    /**
     * Signals a running job's whole process group (SIGTERM, or SIGKILL when {@code kill}): its background processes
     * too, which the job's process tree no longer shows once their parent has exited.
     */
    public void signal(long pid, boolean kill) {
        if (running.contains(pid)) {
            tell((kill ? "kill " : "term ") + pid);
        }
    }

    /** Sends a line to the guard, starting it (and telling it of the running jobs) when it is not running. */
    private synchronized void tell(String line) {
        try {
            if (guard == null || !guard.isAlive()) {
                startGuard();
                for (long pid : running) {
                    commands.write(("watch " + pid + "\n").getBytes(StandardCharsets.UTF_8));
                }
                if (line.startsWith("watch ")) {
                    commands.flush();
                    return; // the job is among the running ones just told
                }
            }
            commands.write((line + "\n").getBytes(StandardCharsets.UTF_8));
            commands.flush();
        } catch (IOException e) {
            // the guard died between the check and the write: the next line starts a new one and tells it everything
            LOG.warn("The job guard is not running ({}); it is started again with the next job", e.toString());
            guard = null;
        }
    }

    private void startGuard() throws IOException {
        ProcessBuilder builder = new ProcessBuilder(shell, "-c", GUARD, "couchwork-job-guard")
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD);
        JobEnvironment.withoutCredentials(builder.environment());
        guard = builder.start();
        commands = guard.getOutputStream();
    }

    /** The guard's own process, while it runs (for tests). */
    synchronized Optional<ProcessHandle> process() {
        return guard == null || !guard.isAlive() ? Optional.empty() : Optional.of(guard.toHandle());
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
