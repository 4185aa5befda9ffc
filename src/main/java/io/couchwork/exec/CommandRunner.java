package io.couchwork.exec;

import io.couchwork.token.LogAttachment;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs one shell command through the worker's {@link JobShell}: in a working directory with extra environment, stdout
 * and stderr to files (so output of any size costs no memory), a timeout that ends the job's process tree, and bounded
 * logs read back (empty ones are not attached). A job is a fork of the job shell, with no program started unless its
 * command needs its own {@code $$}; the job shell kills every job should this JVM die.
 * camel-exec is not used: it buffers all output in memory, cannot set the environment, and would start the job from
 * the JVM, beyond the job shell's reach.
 */
public final class CommandRunner {

    /** Exit code reported for a command killed at its timeout, as GNU timeout does. */
    public static final int TIMEOUT_EXIT_CODE = 124;
    /** The shell jobs run with unless told otherwise. */
    public static final String DEFAULT_SHELL = "/bin/sh";
    private static final Duration KILL_GRACE = Duration.ofSeconds(5);

    private final long maxLogBytes;
    private final long tailBytes;
    private final JobShell shell;
    private final Deque<Path> idle = new ConcurrentLinkedDeque<>();

    /** Every run directory of this process, deleted when it exits. */
    private static final Set<Path> RUN_DIRECTORIES = ConcurrentHashMap.newKeySet();

    /** Run directories of jobs running now. */
    private static final Set<Path> IN_USE = ConcurrentHashMap.newKeySet();
    private static volatile boolean exiting;

    static {
        // a SIGTERM runs this hook next to Camel's, which gives running jobs the shutdown grace: deleting their
        // directories under them would fail them and count an attempt, so theirs go when they end
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            exiting = true;
            RUN_DIRECTORIES.stream().filter(dir -> !IN_USE.contains(dir)).forEach(CommandRunner::deleteQuietly);
        }, "couchwork-run-cleanup"));
    }

    public CommandRunner(long maxLogBytes, long tailBytes) {
        this(maxLogBytes, tailBytes, DEFAULT_SHELL);
    }

    public CommandRunner(long maxLogBytes, long tailBytes, String shell) {
        this.maxLogBytes = maxLogBytes;
        this.tailBytes = tailBytes;
        this.shell = JobShell.forShell(shell);
    }

    /** Runs {@code command} in a run directory of its own (see {@link #reserve}). */
    public CommandResult run(String command, Path workingDirectory, Map<String, String> environment, Duration timeout)
            throws IOException, InterruptedException {
        try (RunDirectory run = reserve()) {
            return run(run, command, workingDirectory, environment, timeout);
        }
    }

    /**
     * A directory for one job's script, logs and any file the caller puts there (a token's JSON), until closed; then
     * the next job reuses it, so that a job costs no directory created and deleted.
     */
    public RunDirectory reserve() throws IOException {
        Path dir = idle.poll();
        if (dir == null || !Files.isDirectory(dir)) {
            dir = Files.createTempDirectory("couchwork-run-");
            RUN_DIRECTORIES.add(dir);
        }
        IN_USE.add(dir);
        return new RunDirectory(dir);
    }

    /** A reserved run directory. */
    public final class RunDirectory implements AutoCloseable {

        private final Path dir;
        private boolean reusable = true;

        private RunDirectory(Path dir) {
            this.dir = dir;
        }

        /** A file in the directory, for the caller to write before the job runs. */
        public Path file(String name) {
            return dir.resolve(name);
        }

        /** Writes a file of the directory anew (see {@link CommandRunner#writeNew}). */
        public void write(String name, byte[] content) throws IOException {
            writeNew(file(name), content);
        }

        /**
         * An empty working directory for the job, emptied again when the run directory is closed: a fresh directory
         * for every job without a directory created and deleted per job.
         */
        public Path workDirectory() throws IOException {
            return Files.createDirectories(dir.resolve("work"));
        }

        @Override
        public void close() {
            Path work = dir.resolve("work");
            try {
                if (Files.isDirectory(work, LinkOption.NOFOLLOW_LINKS)) {
                    emptyTree(work);
                }
            } catch (IOException | RuntimeException e) {
                reusable = false; // what the job left cannot be removed: the next job gets a directory of its own
            }
            IN_USE.remove(dir);
            if (exiting) {
                deleteQuietly(dir);
            } else if (reusable) {
                idle.push(dir);
            }
        }
    }

    /**
     * Writes a file as a new one: deleted, then created. Rewriting it in place (truncate, write) would cost a flush to
     * disk at close on ext4 (its auto_da_alloc guard for truncated files), a tenth of a millisecond or more per job.
     */
    public static void writeNew(Path file, byte[] content) throws IOException {
        Files.deleteIfExists(file);
        Files.write(file, content, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    }

    /** Deletes everything inside {@code root}, not following symbolic links, and keeps {@code root}. */
    static void emptyTree(Path root) throws IOException {
        try (var entries = Files.newDirectoryStream(root)) {
            for (Path entry : entries) {
                if (Files.isDirectory(entry, LinkOption.NOFOLLOW_LINKS)) {
                    emptyTree(entry);
                }
                Files.delete(entry);
            }
        }
    }

    public CommandResult run(RunDirectory run, String command, Path workingDirectory, Map<String, String> environment,
            Duration timeout) throws IOException, InterruptedException {
        Files.createDirectories(workingDirectory);
        Path stdout = run.file("stdout.log");
        Path stderr = run.file("stderr.log");
        // new files, not truncated ones: a background process an earlier job left behind keeps writing to its own
        Files.deleteIfExists(stdout);
        Files.deleteIfExists(stderr);
        run.write("job.sh", script(command, workingDirectory, environment).getBytes(StandardCharsets.UTF_8));
        if (Thread.interrupted()) {
            // stopped while the job was being prepared (its token's lease lost): it must not start at all
            throw new InterruptedException("stopped before the job started");
        }
        JobShell.Started job = shell.start(run.dir, modeFor(command));
        boolean timedOut = false;
        int exitCode;
        try {
            exitCode = timeout.isZero() ? job.status().get()
                    : job.status().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            timedOut = true;
            stop(job);
            exitCode = TIMEOUT_EXIT_CODE;
        } catch (InterruptedException e) {
            stop(job);
            throw e;
        } catch (ExecutionException e) {
            throw new IOException(e.getCause().getMessage(), e.getCause());
        }
        long stdoutSize = sizeOf(stdout);
        long stderrSize = sizeOf(stderr);
        List<LogAttachment> attachments = new ArrayList<>(2);
        attach(attachments, "stdout.log", stdout, stdoutSize);
        attach(attachments, "stderr.log", stderr, stderrSize);
        return new CommandResult(exitCode, tailText(stdout, stdoutSize), tailText(stderr, stderrSize), attachments,
                timedOut);
    }

    /** The job as a script: into its directory, its environment, then the command as the user wrote it. */
    static String script(String command, Path workingDirectory, Map<String, String> environment) {
        StringBuilder script = new StringBuilder("unset couchwork_job; cd ")
                .append(CommandTemplate.quote(workingDirectory.toString())).append(" || exit 126\n");
        environment.forEach((name, value) -> {
            if (isName(name)) {
                script.append("export ").append(name).append('=')
                        .append(CommandTemplate.quote(value.replace("\0", ""))).append('\n');
            }
        });
        return script.append(command).append('\n').toString();
    }

    /**
     * A command that reads {@code $$} gets a shell of its own, so that {@code $$} names its job (a temporary file named
     * after it must not be shared by the worker's jobs); any other runs in a fork of the job shell, which spares the
     * start of a shell program per job.
     */
    public static JobShell.Mode modeFor(String command) {
        return command.contains("$$") || command.contains("${$}") ? JobShell.Mode.OWN_SHELL : JobShell.Mode.SUBSHELL;
    }

    /** A name the shell can hold as a variable: [A-Za-z_][A-Za-z0-9_]*. */
    static boolean isName(String name) {
        if (name.isEmpty()) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean letter = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
            if (!letter && (i == 0 || c < '0' || c > '9')) {
                return false;
            }
        }
        return true;
    }

    private static void deleteQuietly(Path dir) {
        try {
            emptyTree(dir);
            Files.deleteIfExists(dir);
        } catch (IOException | RuntimeException e) {
            // a temporary directory left behind
        }
    }

    /** The file's size, 0 when there is none (the job never started). */
    private static long sizeOf(Path file) throws IOException {
        try {
            return Files.size(file);
        } catch (NoSuchFileException e) {
            return 0;
        }
    }

    private String tailText(Path file, long size) throws IOException {
        return size > 0 ? BoundedCapture.tailText(file, tailBytes) : "";
    }

    /** A log worth keeping: an empty one would only cost an attachment write per token. */
    private void attach(List<LogAttachment> attachments, String name, Path file, long size) throws IOException {
        if (size > 0) {
            attachments.add(new LogAttachment(name, "text/plain", BoundedCapture.tail(file, maxLogBytes)));
        }
    }

    /** Terminates the job's process tree, then kills what is left after a grace period. */
    private static void stop(JobShell.Started job) throws InterruptedException {
        long pid;
        try {
            pid = job.pid().get(KILL_GRACE.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            return; // never started, or the job shell is gone (and took the job along)
        }
        ProcessHandle.of(pid).ifPresent(process -> {
            List<ProcessHandle> tree = new ArrayList<>(process.descendants().toList());
            tree.forEach(ProcessHandle::destroy);
            process.destroy();
            if (!ended(job.status(), KILL_GRACE)) {
                tree.addAll(process.descendants().toList());
                tree.forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                ended(job.status(), KILL_GRACE);
            }
            tree.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
        });
    }

    private static boolean ended(Future<Integer> status, Duration within) {
        try {
            status.get(within.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (ExecutionException e) {
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
