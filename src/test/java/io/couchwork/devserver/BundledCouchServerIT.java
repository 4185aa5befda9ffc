package io.couchwork.devserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.couchwork.CouchworkException;
import io.couchwork.ExitCode;
import io.couchwork.testing.CouchDbServerExtension;
import io.couchwork.testing.FixedAnswerServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The bundled server is installed from the committed lockfile and patches, refuses a taken port, naming what answers
 * there, and leaves no temporary folder behind.
 */
class BundledCouchServerIT {

    private static final String COUCHDB_WELCOME = """
            {"couchdb":"Welcome","version":"3.5.0","vendor":{"name":"The Apache Software Foundation"}}""";

    @Test
    void the_installed_server_ends_a_continuous_feed_whose_client_hung_up() throws Exception {
        // express-pouchdb 4.2.0 alone kept such a feed reading every later change (patches/express-pouchdb+4.2.0.patch)
        assertThat(installedFile("express-pouchdb/lib/routes/changes.js"))
                .contains("res.on('close', function () {\n          feed.cancel();");
    }

    @Test
    void the_installed_server_compiles_a_view_function_once_not_once_per_document() throws Exception {
        // pouchdb-mapreduce 7.3.1 alone compiled the function in a new context per document mapped, 0.65 ms each
        // (patches/pouchdb-mapreduce+7.3.1.patch)
        assertThat(installedFile("pouchdb-mapreduce/lib/index.js"))
                .contains("var __fun__ = (' + func.replace(")
                .doesNotContain("var output = vm.runInNewContext(code);");
    }

    /** A file of the bundled server as installed from the committed lockfile and patches. */
    private static String installedFile(String path) throws IOException {
        TestServerInstall install = new TestServerInstall(Path.of("testserver"));
        install.ensureInstalled();
        assertThat(install.isCurrent()).isTrue();
        return Files.readString(Path.of("testserver/node_modules").resolve(path));
    }

    @Test
    void a_port_where_a_couchdb_answers_is_refused_naming_that_server() throws Exception {
        HttpServer couch = FixedAnswerServer.start(200, "application/json", COUCHDB_WELCOME);
        int port = couch.getAddress().getPort();
        try {
            assertThatThrownBy(() -> BundledCouchServer.start(Path.of("testserver"),
                    BundledCouchServer.Options.inMemory().onPort(port)))
                    .isInstanceOf(CouchworkException.class)
                    .hasMessageStartingWith("Port " + port + " is taken: a CouchDB-API server answers there (Apache"
                            + " CouchDB 3.5.0)")
                    .hasMessageContaining("COUCHDB_URL=http://127.0.0.1:" + port)
                    .hasMessageContaining("--port " + (port + 1))
                    .extracting(e -> ((CouchworkException) e).exitCode()).isEqualTo(ExitCode.UNAVAILABLE);
        } finally {
            couch.stop(0);
        }
    }

    @Test
    void a_port_held_by_a_program_that_speaks_no_http_is_refused() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int port = silent.getLocalPort(); // listens, never answers
            assertThatThrownBy(() -> BundledCouchServer.start(Path.of("testserver"),
                    BundledCouchServer.Options.inMemory().onPort(port)))
                    .hasMessageStartingWith("Port " + port + " is taken: a program that does not answer HTTP");
        }
    }

    @Test
    void a_stopped_server_leaves_no_temporary_folder() {
        Assumptions.assumeTrue(System.getenv("COUCHDB_URL") == null || System.getenv("COUCHDB_URL").isBlank(),
                "starts the bundled server: not run against COUCHDB_URL");
        BundledCouchServer server = CouchDbServerExtension.startBundledServer(BundledCouchServer.Options.inMemory());
        Path work = server.workDirectory();
        assertThat(Files.exists(work.resolve("config.json"))).isTrue();
        server.close();
        assertThat(work).doesNotExist();
    }
}
