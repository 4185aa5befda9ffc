package io.couchwork.reliability;

import io.couchwork.testing.LaunchedApp;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A start-up that must fail once: bin/couchwork with these arguments exits with this code and exactly one
 * "couchwork:" line that contains every expected fragment, without a stack trace.
 */
record StartupCase(String name, List<String> args, Map<String, String> env, int exitCode, List<String> fragments) {

    /** Launches the case from {@code dir} and records it; the launch waits at most a minute for the exit. */
    void run(Path dir, Cases cases) {
        String expected = "exit " + exitCode + ", one line naming " + String.join(", ", fragments);
        try {
            LaunchedApp app = LaunchedApp.launch(dir, args, env);
            int code = app.awaitExit();
            String output = app.output();
            List<String> lines = new ArrayList<>(output.lines().filter(l -> l.startsWith("couchwork:")).toList());
            String line = lines.isEmpty() ? "(no couchwork: line)" : lines.get(0);
            boolean passed = code == exitCode && lines.size() == 1 && fragments.stream().allMatch(line::contains)
                    && !output.contains("\tat ");
            cases.add(name, expected, passed, "exit " + code + ": " + line);
        } catch (Exception | AssertionError e) {
            cases.add(name, expected, false, e.toString());
        }
    }
}
