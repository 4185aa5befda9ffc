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
 * Runs one shell command: /bin/sh -c in a working directory with extra environment, stdout and stderr to files (so
 * output of any size costs no memory), a timeout that kills the whole process tree, bounded logs read back, and a
 * guard that kills the command when this JVM dies ({@link OrphanGuard}).
 * camel-exec is not used: it buffers all output in memory and cannot set the environment.
 */
public final class CommandRunner {

    /** Exit code reported for a command killed at its timeout, as GNU timeout does. */
    public static final int TIMEOUT_EXIT_CODE = 124;
    private static final Duration KILL_GRACE = Duration.ofSeconds(5);

    private final long maxLogBytes;
    private final long tailBytes;

    public CommandRunner(long maxLogBytes, long tailBytes) {
        this.maxLogBytes = maxLogBytes;
        this.tailBytes = tailBytes;
    }

    public CommandResult run(String command, Path workingDirectory, Map<String, String> environment, Duration timeout)
            throws IOException, InterruptedException {
        Files.createDirectories(workingDirectory);
        Path logs = Files.createTempDirectory("couchwork-logs-");
        Path stdout = logs.resolve("stdout.log");
        Path stderr = logs.resolve("stderr.log");
        try {
            ProcessBuilder builder = new ProcessBuilder(OrphanGuard.argv(command))
                    .directory(workingDirectory.toFile())
                    .redirectOutput(stdout.toFile())
                    .redirectError(stderr.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
            JobEnvironment.withoutCredentials(builder.environment());
            builder.environment().putAll(environment);
            Process process = builder.start();
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
            }
            int exitCode = timedOut ? TIMEOUT_EXIT_CODE : process.exitValue();
            List<LogAttachment> attachments = new ArrayList<>();
            attachments.add(new LogAttachment("stdout.log", "text/plain", BoundedCapture.tail(stdout, maxLogBytes)));
            attachments.add(new LogAttachment("stderr.log", "text/plain", BoundedCapture.tail(stderr, maxLogBytes)));
            return new CommandResult(exitCode, BoundedCapture.tailText(stdout, tailBytes),
                    BoundedCapture.tailText(stderr, tailBytes), attachments, timedOut);
        } finally {
            Files.deleteIfExists(stdout);
            Files.deleteIfExists(stderr);
            Files.deleteIfExists(logs);
        }
    }

    /** Terminates the process and everything it started, then kills what is left after a grace period. */
    static void kill(Process process) throws InterruptedException {
        List<ProcessHandle> tree = new ArrayList<>(process.descendants().toList());
        tree.forEach(ProcessHandle::destroy);
        process.destroy();
        if (!process.waitFor(KILL_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
        }
        tree.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
        process.waitFor(KILL_GRACE.toMillis(), TimeUnit.MILLISECONDS);
    }
}
