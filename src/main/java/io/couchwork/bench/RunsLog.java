package io.couchwork.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The trivial job of the shell rows, {@code echo {_id} >> DIR/runs.log}: each run appends its token's id to one file
 * (appends of a short line are atomic), so that exactly-once can be checked from the file afterwards.
 */
final class RunsLog {

    /** Ids that ran, runs beyond the first of an id, and lines in all. */
    record Check(int distinct, long duplicates, long lines) {}

    private final Path file;

    RunsLog(Path directory) {
        this.file = directory.toAbsolutePath().resolve("runs.log");
        if (file.toString().contains("'")) {
            throw new IllegalArgumentException("a bench directory with a quote in its path: " + file);
        }
    }

    /** The shell command template: {_id} is filled (shell-quoted) from the token. */
    String command() {
        return "echo {_id} >> '" + file + "'";
    }

    Path file() {
        return file;
    }

    Check check() throws IOException {
        if (!Files.exists(file)) {
            return new Check(0, 0, 0);
        }
        List<String> lines = Files.readAllLines(file);
        Map<String, Integer> runs = new HashMap<>();
        for (String line : lines) {
            if (!line.isBlank()) {
                runs.merge(line.strip(), 1, Integer::sum);
            }
        }
        long duplicates = runs.values().stream().mapToLong(n -> n - 1).sum();
        return new Check(runs.size(), duplicates, lines.size());
    }
}
