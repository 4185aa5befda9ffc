package io.couchwork.devserver;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.ibm.cloud.cloudant.v1.Cloudant;
import com.ibm.cloud.sdk.core.security.NoAuthAuthenticator;
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
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

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
        Path script = new TestServerInstall(installDirectory).ensureInstalled();
        int port = options.port() == 0 ? freePort() : options.port();
        try {
            Path work = Files.createTempDirectory("couchwork-devserver-");
            Files.writeString(work.resolve("config.json"), configJson(options), StandardCharsets.UTF_8);
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
            server.awaitReady();
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
    }

    private void awaitReady() {
        Cloudant probe = new Cloudant("couchwork-devserver", new NoAuthAuthenticator());
        probe.setServiceUrl(url());
        Instant deadline = Instant.now().plus(START_TIMEOUT);
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new CouchworkException("The bundled server exited at start (code " + process.exitValue()
                        + "); see " + logFile(), ExitCode.FAILURE);
            }
            try {
                probe.getServerInformation().execute();
                return;
            } catch (RuntimeException notYet) {
                pause();
            }
        }
        close();
        throw new CouchworkException("The bundled server did not answer on " + url() + " within "
                + START_TIMEOUT.toSeconds() + "s; see " + logFile(), ExitCode.UNAVAILABLE);
    }

    private static void pause() {
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CouchworkException("Interrupted while starting the bundled server", ExitCode.FAILURE, e);
        }
    }

    private static String configJson(Options options) {
        // PouchDB Server hashes the plain admin password into this file on start, as CouchDB does with local.ini
        Map<String, Object> config = options.adminUser() == null
                ? Map.of()
                : Map.of("admins", Map.of(options.adminUser(), options.adminPassword()));
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
