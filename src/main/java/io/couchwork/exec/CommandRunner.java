package io.couchwork.exec;

import io.couchwork.token.LogAttachment;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs one shell command: {@code <shell> -c} in a working directory with extra environment, stdout and stderr to files
 * (so output of any size costs no memory), a timeout that ends the job's whole process group, bounded logs read back
 * (empty ones are not attached), and the worker's {@link JobGuard}, which kills the job should this JVM die. One
 * process start per job: the shell itself, in a session of its own.
 * camel-exec is not used: it buffers all output in memory and cannot set the environment.
 */
public final class CommandRunner {

    /** Exit code reported for a command killed at its timeout, as GNU timeout does. */
    public static final int TIMEOUT_EXIT_CODE = 124;
    /** The shell jobs run with unless told otherwise. */
    public static final String DEFAULT_SHELL = "/bin/sh";
    private static final Duration KILL_GRACE = Duration.ofSeconds(5);
    private static final java.io.File NO_INPUT = new java.io.File("/dev/null");

    private final long maxLogBytes;
    private final long tailBytes;
    private final JobGuard guard;

    public CommandRunner(long maxLogBytes, long tailBytes) {
        this(maxLogBytes, tailBytes, DEFAULT_SHELL);
    }

    public CommandRunner(long maxLogBytes, long tailBytes, String shell) {
        this.maxLogBytes = maxLogBytes;
        this.tailBytes = tailBytes;
        this.guard = JobGuard.forShell(shell);
    }

    public CommandResult run(String command, Path workingDirectory, Map<String, String> environment, Duration timeout)
            throws IOException, InterruptedException {
        Files.createDirectories(workingDirectory);
        Path logs = Files.createTempDirectory("couchwork-logs-");
        Path stdout = logs.resolve("stdout.log");
        Path stderr = logs.resolve("stderr.log");
        try {
            ProcessBuilder builder = new ProcessBuilder(guard.argv(command))
                    .directory(workingDirectory.toFile())
                    .redirectOutput(stdout.toFile())
                    .redirectError(stderr.toFile())
                    .redirectInput(NO_INPUT);
            JobEnvironment.withoutCredentials(builder.environment());
            builder.environment().putAll(environment);
            Process process = builder.start();
            guard.started(process);
            boolean timedOut = false;
            try {
                if (timeout.isZero()) {
                    process.waitFor();
                } else if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    timedOut = true;
                    kill(process);
                }
            } catch (InterruptedException e) {
                kill(process);
                throw e;
            } finally {
                guard.ended(process);
            }
            int exitCode = timedOut ? TIMEOUT_EXIT_CODE : process.exitValue();
            List<LogAttachment> attachments = new ArrayList<>(2);
            attach(attachments, "stdout.log", stdout);
            attach(attachments, "stderr.log", stderr);
            return new CommandResult(exitCode, BoundedCapture.tailText(stdout, tailBytes),
                    BoundedCapture.tailText(stderr, tailBytes), attachments, timedOut);
        } finally {
            Files.deleteIfExists(stdout);
            Files.deleteIfExists(stderr);
            Files.deleteIfExists(logs);
        }
    }

    /** A log worth keeping: an empty one would only cost an attachment write per token. */
    private void attach(List<LogAttachment> attachments, String name, Path file) throws IOException {
        if (Files.size(file) > 0) {
            attachments.add(new LogAttachment(name, "text/plain", BoundedCapture.tail(file, maxLogBytes)));
        }
    }

    /** Terminates the job's process group (and, where it has none, its process tree), then kills what is left. */
    private void kill(Process process) throws InterruptedException {
        List<ProcessHandle> tree = new ArrayList<>(process.descendants().toList());
        guard.signal(process, false);
        tree.forEach(ProcessHandle::destroy);
        process.destroy();
        if (!process.waitFor(KILL_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
            guard.signal(process, true);
            process.destroyForcibly();
        }
        tree.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
        process.waitFor(KILL_GRACE.toMillis(), TimeUnit.MILLISECONDS);
        guard.signal(process, true); // children that ignored the TERM and outlived their shell
    }
}
