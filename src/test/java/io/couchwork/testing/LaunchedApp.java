package io.couchwork.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** The packaged distribution's bin/couchwork started as its own process, its output in a file. */
public final class LaunchedApp {

    private static final Path DIST = Path.of(System.getProperty("couchwork.dist", "target/dist-missing"));

    private final Process process;
    private final Path log;

    private LaunchedApp(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    /** Runs bin/couchwork with these arguments from {@code workingDirectory}, without the caller's COUCHDB_* variables. */
    public static LaunchedApp launch(Path workingDirectory, List<String> args, Map<String, String> env) throws IOException {
        Path launcher = DIST.resolve("bin/couchwork");
        assertThat(launcher).as("packaged launcher (run mvn verify)").isExecutable();
        List<String> command = new ArrayList<>(List.of(launcher.toAbsolutePath().toString()));
        command.addAll(args);
        Path log = workingDirectory.resolve("output-" + System.nanoTime() + ".log");
        ProcessBuilder builder = new ProcessBuilder(command).directory(workingDirectory.toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().remove("COUCHDB_URL");
        builder.environment().remove("COUCHDB_USER");
        builder.environment().remove("COUCHDB_PASSWORD");
        builder.environment().putAll(env);
        return new LaunchedApp(builder.start(), log);
    }

    /** `run` with each property as -D key=value. */
    public static LaunchedApp run(Path workingDirectory, Map<String, String> properties) throws IOException {
        List<String> args = new ArrayList<>(List.of("run"));
        properties.forEach((k, v) -> args.addAll(List.of("-D", k + "=" + v)));
        return launch(workingDirectory, args, Map.of());
    }

    public Process process() {
        return process;
    }

    public String output() throws IOException {
        return Files.readString(log);
    }

    public int awaitExit() throws InterruptedException {
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("launcher exits").isTrue();
        return process.exitValue();
    }

    /** SIGTERM, then wait for the process to end. */
    public int stop() throws InterruptedException {
        process.toHandle().destroy();
        return awaitExit();
    }

    /** SIGKILL the JVM alone, as the OOM killer would: its jobs are left to its job guard. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }
}
