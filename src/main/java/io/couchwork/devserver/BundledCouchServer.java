package io.couchwork.devserver;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.couchwork.CouchworkException;
import io.couchwork.ExitCode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The bundled CouchDB-API server (PouchDB Server on Node.js) as a child process on 127.0.0.1, for tests and for trying
 * Couchwork without a CouchDB. Stopped by PID on {@link #close()}.
 */
public final class BundledCouchServer implements AutoCloseable {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    private final Process process;
    private final int port;
    private final Path workDirectory;

    private final Thread stopOnExit = new Thread(this::stopProcess, "bundled-couch-server-stop");

    private BundledCouchServer(Process process, int port, Path workDirectory) {
        this.process = process;
        this.port = port;
        this.workDirectory = workDirectory;
        // the server must not outlive this JVM, however it ends (Ctrl-C, SIGTERM, System.exit)
        Runtime.getRuntime().addShutdownHook(stopOnExit);
    }

    /** Options: a fixed port (0 = any free one), on-disk data (null = in memory), and an admin (null = admin party). */
    public record Options(int port, Path dataDirectory, String adminUser, String adminPassword) {
        public static Options inMemory() {
            return new Options(0, null, null, null);
        }

        public Options onPort(int newPort) {
            return new Options(newPort, dataDirectory, adminUser, adminPassword);
        }

        public Options onDisk(Path directory) {
            return new Options(port, directory, adminUser, adminPassword);
        }

        public Options withAdmin(String user, String password) {
            return new Options(port, dataDirectory, user, password);
        }
    }

    public static BundledCouchServer start(Path installDirectory, Options options) {
        if (options.port() != 0) {
            PortCheck.ensureFree(options.port());
        }
        Path script = new TestServerInstall(installDirectory).ensureInstalled();
        int port = options.port() == 0 ? freePort() : options.port();
        String uuid = UUID.randomUUID().toString().replace("-", "");
        try {
            Path work = Files.createTempDirectory("couchwork-devserver-");
            Files.writeString(work.resolve("config.json"), configJson(options, uuid), StandardCharsets.UTF_8);
            List<String> command = new ArrayList<>(List.of("node", script.toString(),
                    "--host", "127.0.0.1", "--port", Integer.toString(port), "-n",
                    "--config", work.resolve("config.json").toString()));
            if (options.dataDirectory() == null) {
                command.add("--in-memory");
            } else {
                Files.createDirectories(options.dataDirectory());
                command.addAll(List.of("--dir", options.dataDirectory().toAbsolutePath().toString()));
            }
            Process process = new ProcessBuilder(command).directory(work.toFile())
                    .redirectErrorStream(true).redirectOutput(work.resolve("server.log").toFile()).start();
            BundledCouchServer server = new BundledCouchServer(process, port, work);
            server.awaitReady(uuid);
            return server;
        } catch (IOException e) {
            throw new CouchworkException("Cannot start the bundled server: " + e.getMessage()
                    + "; is Node.js installed (node on PATH)?", ExitCode.UNAVAILABLE, e);
        }
    }

    public String url() {
        return "http://127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** The temporary folder of its config and log, deleted once it stops. */
    public Path workDirectory() {
        return workDirectory;
    }

    public Path logFile() {
        return workDirectory.resolve("server.log");
    }

    /** Waits until the server process ends (for the foreground dev-server command). */
    public int waitFor() throws InterruptedException {
        return process.waitFor();
    }

    @Override
    public void close() {
        try {
            Runtime.getRuntime().removeShutdownHook(stopOnExit);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running or will run
        }
        stopProcess();
    }

    private void stopProcess() {
        process.descendants().forEach(ProcessHandle::destroy);
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        if (!process.isAlive()) {
            deleteWorkDirectory();
        }
    }

    /** The config and log of a server that stopped: nothing of a clean stop is left in the temporary folder. */
    private void deleteWorkDirectory() {
        try (Stream<Path> files = Files.walk(workDirectory)) {
            files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            // a folder left in the temporary directory is no reason to fail a stop
        }
    }

    /** Waits until this server answers: the one whose uuid we gave it, not another one on the same port. */
    private void awaitReady(String uuid) {
        Instant deadline = Instant.now().plus(START_TIMEOUT);
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                String log = lastLines(logFile(), 10);
                close();
                throw new CouchworkException("The bundled server exited at start (code " + process.exitValue() + ")"
                        + (log.isBlank() ? "" : "; its last words:\n" + log), ExitCode.FAILURE);
            }
            try {
                if (uuid.equals(PortCheck.uuidAt(url()))) {
                    return;
                }
                pause(); // another server answers there: ours has not bound the port (yet)
            } catch (IOException notYet) {
                pause();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                close();
                throw new CouchworkException("Interrupted while starting the bundled server", ExitCode.FAILURE, e);
            }
        }
        String log = lastLines(logFile(), 10);
        close();
        throw new CouchworkException("The bundled server did not answer on " + url() + " within "
                + START_TIMEOUT.toSeconds() + "s" + (log.isBlank() ? "" : "; its last words:\n" + log),
                ExitCode.UNAVAILABLE);
    }

    private static String lastLines(Path file, int count) {
        try {
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - count), lines.size())).strip();
        } catch (IOException | UncheckedIOException e) {
            return "";
        }
    }

    private static void pause() {
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CouchworkException("Interrupted while starting the bundled server", ExitCode.FAILURE, e);
        }
    }

    private static String configJson(Options options, String uuid) {
        // PouchDB Server hashes the plain admin password into this file on start, as CouchDB does with local.ini
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("couchdb", Map.of("uuid", uuid));
        if (options.adminUser() != null) {
            config.put("admins", Map.of(options.adminUser(), options.adminPassword()));
        }
        try {
            return new ObjectMapper().writeValueAsString(config);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
