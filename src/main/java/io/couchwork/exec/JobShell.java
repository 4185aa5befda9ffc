package io.couchwork.exec;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One long-lived shell per worker process and shell program that starts the worker's jobs and kills them all should
 * the worker die. The worker writes "run ID DIR" (or "spawn ID DIR") to the shell's standard input; the shell runs
 * {@code DIR/job.sh} in the background with its output in {@code DIR/stdout.log} and {@code DIR/stderr.log}, and
 * answers "pid ID N" and, when it ends, "done ID STATUS". "run" sources the script in a fork of the shell (a subshell),
 * which starts no program: a job whose command is a builtin costs two forks of a small shell and nothing else.
 * "spawn" starts the shell program for the script, for a command that needs its own {@code $$}. The shell runs in a
 * session of its own (setsid, once per worker), so every job and everything it starts, background processes included,
 * shares its process group: when the worker dies in any way (SIGKILL and the OOM killer included) the kernel closes
 * the pipe, the shell's read ends, and it kills the group, itself included. No polling, no process per job but the
 * job's own and the fork that waits for it. A job that puts itself into another session (a daemon) is out of reach.
 * Should someone kill the job shell itself, its running jobs go on and report as before (they hold the answer pipe),
 * and the next job starts a new one.
 */
public final class JobShell {

    private static final Logger LOG = LoggerFactory.getLogger(JobShell.class);

    /*
     * POSIX sh as dash, bash and busybox run it. Per job: a subshell that starts the job and waits for it (dash has no
     * way to wait for "any" child while it reads), so the loop stays free for the next "run". A sourced job runs in a
     * subshell of that one, so that its exit, exec, traps, cd and variables end with it; it sees none of the loop's
     * variables (unset, and named so as not to meet a user's) and no arguments. Lines under PIPE_BUF reach the worker
     * whole even when jobs end together. $2 says whether the shell leads its own process group: only then may it kill
     * the group (without setsid, that group is the worker's, and perhaps a batch script's too). "jobs" frees the jobs
     * that ended: a shell that is not interactive keeps every background job in its table until it is waited for or
     * reported, and each new job (and each fork, which inherits the table) goes through it, so that without it a job
     * start grew slower with every job run before (dash: 4.2 to 7.7 ms per job over 14,000 jobs; bash: 17 to 34 ms
     * over 6,000) and the shell's memory grew with them.
     */
    static final String SCRIPT = """
            couchwork_shell=$1 couchwork_own_group=$2
            while IFS=' ' read -r couchwork_op couchwork_id couchwork_dir; do
              jobs >/dev/null
              case $couchwork_op in
                run|spawn) {
                       if [ "$couchwork_op" = run ]; then
                         ( couchwork_job=$couchwork_dir/job.sh
                           unset couchwork_shell couchwork_own_group couchwork_op couchwork_id couchwork_dir
                           set --
                           . "$couchwork_job"
                         ) >"$couchwork_dir/stdout.log" 2>"$couchwork_dir/stderr.log" </dev/null &
                       else
                         "$couchwork_shell" "$couchwork_dir/job.sh" >"$couchwork_dir/stdout.log" \\
                           2>"$couchwork_dir/stderr.log" </dev/null &
                       fi
                       echo "pid $couchwork_id $!"
                       wait $!
                       echo "done $couchwork_id $?"
                     } & ;;
              esac
            done
            if [ "$couchwork_own_group" = yes ]; then kill -KILL 0; fi
            """;

    /** How a job's script runs. */
    public enum Mode {
        /** In a fork of the job shell (a subshell): a fork and no program start; {@code $$} names the job shell. */
        SUBSHELL("run"),
        /** In a shell started for it, whose {@code $$} is its own. */
        OWN_SHELL("spawn");

        private final String op;

        Mode(String op) {
            this.op = op;
        }
    }

    private static final Map<String, JobShell> BY_SHELL = new ConcurrentHashMap<>();

    /** A started job: its process id once known, and its exit status (128 + signal when killed). */
    public record Started(CompletableFuture<Long> pid, CompletableFuture<Integer> status) {}

    private final String shell;
    private final Optional<String> setsid;
    private final AtomicLong ids = new AtomicLong();
    private Map<Long, Started> running = new ConcurrentHashMap<>();
    private Process process;
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
     * Starts {@code dir/job.sh} with this shell in the background; its output goes to {@code dir/stdout.log} and
     * {@code dir/stderr.log}. The job inherits the worker's environment as it was when the job shell started, less
     * the worker's credentials; the script sets the rest.
     */
    public synchronized Started start(Path dir, Mode mode) throws IOException {
        String path = dir.toAbsolutePath().toString();
        if (path.contains("\n")) {
            throw new IOException("a job directory's path holds a line break: " + path);
        }
        long id = ids.incrementAndGet();
        Started job = new Started(new CompletableFuture<>(), new CompletableFuture<>());
        try {
            ensureRunning();
            running.put(id, job);
            commands.write((mode.op + " " + id + " " + path + "\n").getBytes(StandardCharsets.UTF_8));
            commands.flush();
        } catch (IOException e) {
            running.remove(id);
            throw new IOException("cannot start the job: the job shell " + shell + " is not running (" + e.getMessage()
                    + ")", e);
        }
        return job;
    }

    private void ensureRunning() throws IOException {
        if (process != null && process.isAlive()) {
            return;
        }
        String ownGroup = setsid.isPresent() ? "yes" : "no";
        List<String> argv = setsid.map(s -> List.of(s, shell, "-c", SCRIPT, "couchwork-jobs", shell, ownGroup))
                .orElseGet(() -> List.of(shell, "-c", SCRIPT, "couchwork-jobs", shell, ownGroup));
        ProcessBuilder builder = new ProcessBuilder(argv).redirectError(ProcessBuilder.Redirect.DISCARD);
        JobEnvironment.withoutCredentials(builder.environment());
        Process started = builder.start();
        process = started;
        commands = started.getOutputStream();
        Map<Long, Started> jobs = new ConcurrentHashMap<>(); // the jobs of a shell that died are failed by its reader
        running = jobs;
        Thread reader = new Thread(() -> readAnswers(started, jobs), "couchwork-job-shell");
        reader.setDaemon(true);
        reader.start();
    }

    private void readAnswers(Process shellProcess, Map<Long, Started> running) {
        try (BufferedReader answers = new BufferedReader(
                new InputStreamReader(shellProcess.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = answers.readLine(); line != null; line = answers.readLine()) {
                String[] f = line.split(" ");
                if (f.length != 3) {
                    continue;
                }
                long id = Long.parseLong(f[1]);
                if (f[0].equals("pid")) {
                    Started job = running.get(id);
                    if (job != null) {
                        job.pid().complete(Long.parseLong(f[2]));
                    }
                } else if (f[0].equals("done")) {
                    Started job = running.remove(id);
                    if (job != null) {
                        job.status().complete(Integer.parseInt(f[2]));
                    }
                }
            }
        } catch (IOException | NumberFormatException e) {
            LOG.warn("Cannot read the job shell's answers ({})", e.toString());
        }
        // every job of this shell has ended (the pipe closes when the shell and all of its jobs are gone); a job still
        // waiting here was lost with them
        IOException gone = new IOException("the job shell ended while the job ran");
        running.values().removeIf(job -> {
            job.pid().completeExceptionally(gone);
            job.status().completeExceptionally(gone);
            return true;
        });
    }

    /** The job shell's own process, while it runs (for tests). */
    synchronized Optional<ProcessHandle> process() {
        return process == null ? Optional.empty() : Optional.of(process.toHandle());
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
