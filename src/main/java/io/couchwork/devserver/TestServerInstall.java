package io.couchwork.devserver;

import io.couchwork.CouchworkException;
import io.couchwork.ExitCode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pinned PouchDB Server npm install under testserver/: installed from the committed lockfile and patches on first
 * use, and again whenever either has changed since (npm's postinstall applies the patches with patch-package, then
 * {@code record-install.js} records the bytes it was installed from).
 */
public final class TestServerInstall {

    private static final Logger LOG = LoggerFactory.getLogger(TestServerInstall.class);

    private static final String LOCKFILE = "package-lock.json";
    private static final String RECORD = "node_modules/.couchwork-installed";

    private final Path directory;

    public TestServerInstall(Path directory) {
        this.directory = directory.toAbsolutePath().normalize();
    }

    public Path serverScript() {
        return directory.resolve("node_modules/pouchdb-server/bin/pouchdb-server");
    }

    /** Runs {@code npm ci --omit=optional} unless the server is installed and current; safe across processes. */
    public Path ensureInstalled() {
        if (isCurrent()) {
            return serverScript();
        }
        if (!Files.isRegularFile(directory.resolve(LOCKFILE))) {
            throw new CouchworkException("No test server manifest at " + directory
                    + " (package.json and package-lock.json); is couchwork.home right?", ExitCode.CONFIGURATION);
        }
        try (FileChannel channel = FileChannel.open(directory.resolve(".install.lock"),
                StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                FileLock ignored = channel.lock()) {
            if (!isCurrent()) {
                if (Files.isRegularFile(serverScript())) {
                    LOG.info("The bundled server in {} was installed from another lockfile or other patches", directory);
                }
                install();
            }
        } catch (IOException e) {
            throw new CouchworkException("Cannot install the bundled server in " + directory + ": " + e.getMessage(),
                    ExitCode.FAILURE, e);
        }
        return serverScript();
    }

    /** Installed, from the lockfile and patches that are there now. */
    public boolean isCurrent() {
        if (!Files.isRegularFile(serverScript())) {
            return false;
        }
        try {
            return Arrays.equals(Files.readAllBytes(directory.resolve(RECORD)), installedFrom());
        } catch (IOException notRecorded) {
            return false;
        }
    }

    /** What record-install.js records: the lockfile, then each patch in the order of their names. */
    private byte[] installedFrom() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        bytes.write(Files.readAllBytes(directory.resolve(LOCKFILE)));
        Path patches = directory.resolve("patches");
        if (Files.isDirectory(patches)) {
            try (Stream<Path> files = Files.list(patches)) {
                for (Path patch : files.sorted(Comparator.comparing(p -> p.getFileName().toString())).toList()) {
                    bytes.write(Files.readAllBytes(patch));
                }
            }
        }
        return bytes.toByteArray();
    }

    private void install() throws IOException {
        LOG.info("Installing the bundled CouchDB-API server (PouchDB Server) in {} ...", directory);
        // --omit=optional: the optional sqlite3 adapter would compile from source for minutes
        List<String> command = List.of("npm", "ci", "--omit=optional", "--no-audit", "--no-fund", "--loglevel=error");
        Path log = directory.resolve("npm-install.log");
        Process npm;
        try {
            npm = new ProcessBuilder(command).directory(directory.toFile())
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        } catch (IOException e) {
            throw new CouchworkException("Cannot run npm to install the bundled server: " + e.getMessage()
                    + "; install Node.js and npm (Debian: apt-get install nodejs npm)", ExitCode.UNAVAILABLE, e);
        }
        try {
            if (!npm.waitFor(10, TimeUnit.MINUTES) || npm.exitValue() != 0) {
                npm.destroyForcibly();
                throw new CouchworkException("npm ci failed in " + directory + "; see " + log, ExitCode.FAILURE);
            }
        } catch (InterruptedException e) {
            npm.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new CouchworkException("Interrupted while installing the bundled server", ExitCode.FAILURE, e);
        }
    }
}
