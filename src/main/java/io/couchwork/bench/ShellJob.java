package io.couchwork.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.couchwork.exec.CommandTemplate;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A job run the plainest way: {@code /bin/sh -c COMMAND} with the token's placeholders filled, waited for, no database:
 * the bare spawn reference and the PiCaS-style loop's job (PiCaS runs it with Python's {@code shell=True}).
 */
final class ShellJob {

    private static final File DEV_NULL = new File("/dev/null");

    private final CommandTemplate template;

    ShellJob(String commandTemplate) {
        this.template = new CommandTemplate(commandTemplate);
    }

    /** Runs the command for this token; returns its exit code. */
    int run(JsonNode token) throws IOException, InterruptedException {
        Process process = new ProcessBuilder("/bin/sh", "-c", template.fill(token))
                .redirectInput(ProcessBuilder.Redirect.from(DEV_NULL))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        return process.waitFor();
    }

    /**
     * Counts processes and threads created on the whole machine ({@code processes} in /proc/stat) while jobs run, less
     * the machine's rate in the second before ({@link #start()} measures it): other work on the machine shows as
     * noise, so read the figure against the bare spawn's, measured the same way.
     */
    static final class Forks {
        private final Optional<Long> start;
        private final double backgroundPerSecond;
        private final long startNanos;

        private Forks(Optional<Long> start, double backgroundPerSecond) {
            this.start = start;
            this.backgroundPerSecond = backgroundPerSecond;
            this.startNanos = System.nanoTime();
        }

        /** Samples the background rate for a second, then starts counting. */
        static Forks start() throws InterruptedException {
            Optional<Long> before = read();
            long t0 = System.nanoTime();
            Thread.sleep(1000);
            Optional<Long> after = read();
            double rate = before.isPresent() && after.isPresent()
                    ? (after.get() - before.get()) / RawServerBench.seconds(t0) : 0;
            return new Forks(after, rate);
        }

        /** Forks per job since the start, less the background rate; NaN when unknown. */
        double perJob(int jobs) {
            Optional<Long> now = read();
            if (start.isEmpty() || now.isEmpty() || jobs <= 0) {
                return Double.NaN;
            }
            double background = backgroundPerSecond * RawServerBench.seconds(startNanos);
            return Math.max(0, now.get() - start.get() - background) / jobs;
        }

        private static Optional<Long> read() {
            try {
                for (String line : Files.readAllLines(Path.of("/proc/stat"))) {
                    if (line.startsWith("processes ")) {
                        return Optional.of(Long.parseLong(line.substring("processes ".length()).strip()));
                    }
                }
            } catch (IOException | NumberFormatException e) {
                // not Linux
            }
            return Optional.empty();
        }
    }
}
