package io.couchwork.devserver;

import io.couchwork.CouchworkException;
import io.couchwork.ExitCode;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The pinned PouchDB Server npm install under testserver/: installed from the committed lockfile on first use. */
public final class TestServerInstall {

    private static final Logger LOG = LoggerFactory.getLogger(TestServerInstall.class);

    private final Path directory;

    public TestServerInstall(Path directory) {
        this.directory = directory.toAbsolutePath().normalize();
    }

    public Path serverScript() {
        return directory.resolve("node_modules/pouchdb-server/bin/pouchdb-server");
    }

    /** Runs {@code npm ci --omit=optional} unless the server is already installed; safe across processes. */
    public Path ensureInstalled() {
        if (Files.isRegularFile(serverScript())) {
            return serverScript();
        }
        if (!Files.isRegularFile(directory.resolve("package-lock.json"))) {
            throw new CouchworkException("No test server manifest at " + directory
                    + " (package.json and package-lock.json); is couchwork.home right?", ExitCode.CONFIGURATION);
        }
        try (FileChannel channel = FileChannel.open(directory.resolve(".install.lock"),
                StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                FileLock ignored = channel.lock()) {
            if (!Files.isRegularFile(serverScript())) {
                install();
            }
        } catch (IOException e) {
            throw new CouchworkException("Cannot install the bundled server in " + directory + ": " + e.getMessage(),
                    ExitCode.FAILURE, e);
        }
        return serverScript();
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
