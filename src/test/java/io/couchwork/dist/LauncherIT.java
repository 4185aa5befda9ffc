package io.couchwork.dist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.ibm.cloud.cloudant.v1.Cloudant;
import com.ibm.cloud.sdk.core.security.NoAuthAuthenticator;
import io.couchwork.testing.AuthServer;
import io.couchwork.testing.LaunchedApp;
import io.couchwork.testing.CouchDbServerExtension;
import io.couchwork.testing.TestCouch;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The packaged distribution's launcher, run from an unrelated working directory as a user would. */
@ExtendWith(CouchDbServerExtension.class)
class LauncherIT {

        private static final String PASSWORD = "Launcher-Pw-5093";

    @TempDir
    Path workingDirectory;

    @Test
    void should_answer_help_and_version_from_any_directory() throws Exception {
        LaunchedApp help = launch(List.of("--help"), Map.of());
        assertThat(help.awaitExit()).isZero();
        assertThat(help.output()).contains("Usage: couchwork", "run ", "demo ", "dev-server ");

        LaunchedApp version = launch(List.of("--version"), Map.of());
        assertThat(version.awaitExit()).isZero();
        assertThat(version.output()).startsWith("couchwork " + System.getProperty("couchwork.version", ""));
    }

    @Test
    void should_stop_gracefully_on_sigterm_and_log_no_password_even_at_debug(TestCouch couch) throws Exception {
        try (AuthServer auth = AuthServer.start(couch, PASSWORD)) {
            String urlWithCredentials = auth.url().replace("://", "://" + auth.user() + ":" + auth.password() + "@");
            LaunchedApp app = launch(List.of("run", "-D", "couchwork.couchdb.url=" + urlWithCredentials,
                    "-D", "couchwork.couchdb.database=" + auth.database()),
                    // at DEBUG: Camel logs resolved placeholders and endpoint URIs there, credentials among them
                    Map.of("COUCHDB_PASSWORD", auth.password(), "COUCHWORK_LOG_LEVEL", "DEBUG"));
            await().atMost(Duration.ofSeconds(60)).until(() -> app.output().contains("Connected to database '"));
            assertThat(app.output()).contains("Route reportDatabaseStatus (timer://reportDatabaseStatus): started");

            app.process().toHandle().destroy(); // SIGTERM
            assertThat(app.process().waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(app.output()).contains("Apache Camel (Main) 4.17.0 is shutdown");
            assertThat(app.output()).doesNotContain(auth.password()).contains("http://***@");
        }
    }

    @Test
    void should_run_the_readme_demo_on_the_bundled_server_and_drain_the_pool() throws Exception {
        LaunchedApp demo = launch(List.of("demo", "--tokens", "120"), Map.of());
        assertThat(demo.awaitExit()).as(demo.output()).isZero();
        assertThat(demo.output()).containsPattern("Drained in [0-9.]+ s: 120 done, 0 error, 0 todo, 0 locked;"
                + " [0-9]+ tokens/s; 1 retries");
    }

    @Test
    void should_read_settings_from_the_environment(TestCouch couch) throws Exception {
        String database = couch.newDatabaseName();
        Map<String, String> env = new java.util.HashMap<>(Map.of(
                "COUCHDB_URL", couch.url(),
                "COUCHWORK_COUCHDB_DATABASE", database,
                "COUCHWORK_REPORT_INTERVAL", "1h",
                "COUCHWORK_POOL_CONCURRENCY", "2",
                "COUCHWORK_LOG_LEVEL", "DEBUG")); // for the resolved settings
        if (!couch.user().isEmpty()) {
            env.put("COUCHDB_USER", couch.user());
            env.put("COUCHDB_PASSWORD", couch.password());
        }
        LaunchedApp app = launch(List.of("run", "-D", "couchwork.pool.concurrency=3"), env); // -D above the environment
        try {
            await().atMost(Duration.ofSeconds(60)).until(() -> app.output().contains("Connected to database '"));
            assertThat(app.output()).contains("database '" + database + "' holds 0 documents")
                    .contains("with 3 parallel executions")
                    .contains("Setting couchwork.report.interval = 1h");
            assertThat(couch.client().getAllDbs().execute().getResult()).contains(database);
        } finally {
            app.process().toHandle().destroy();
            app.process().waitFor(60, TimeUnit.SECONDS);
        }
    }

    @Test
    void should_exit_with_one_clear_line_on_a_wrong_password(TestCouch couch) throws Exception {
        try (AuthServer auth = AuthServer.start(couch, PASSWORD)) {
            LaunchedApp app = launch(List.of("run", "-D", "couchwork.couchdb.url=" + auth.url(),
                    "-D", "couchwork.couchdb.user=" + auth.user()),
                    Map.of("COUCHDB_PASSWORD", auth.password() + "-wrong"));
            assertThat(app.awaitExit()).isEqualTo(77);
            assertThat(app.output().lines().filter(l -> l.startsWith("couchwork:")))
                    .containsExactly("couchwork: CouchDB at " + auth.url() + " rejected user '" + auth.user()
                            + "' (HTTP 401: unauthorized: Name or password is incorrect.); check COUCHDB_USER and"
                            + " COUCHDB_PASSWORD (couchwork.couchdb.user and .password)");
            assertThat(app.output()).doesNotContain(auth.password()).doesNotContain("\tat ");
        }
    }

    @Test
    void should_run_the_bundled_dev_server_until_sigterm_and_stop_it_with_itself() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        LaunchedApp devServer = launch(List.of("dev-server", "--port", Integer.toString(port)), Map.of());
        await().atMost(Duration.ofSeconds(120)).until(() -> devServer.output().contains("listening on"));
        String url = "http://127.0.0.1:" + port;
        assertThat(devServer.output()).contains("Bundled CouchDB-API server listening on " + url);
        Cloudant client = new Cloudant("test", new NoAuthAuthenticator());
        client.setServiceUrl(url);
        assertThat(client.getServerInformation().execute().getResult().getVersion()).isNotBlank();

        List<ProcessHandle> children = devServer.process().descendants().toList();
        assertThat(children).isNotEmpty();
        devServer.process().toHandle().destroy(); // SIGTERM
        assertThat(devServer.process().waitFor(30, TimeUnit.SECONDS)).isTrue();
        await().atMost(Duration.ofSeconds(10)).until(() -> children.stream().noneMatch(ProcessHandle::isAlive));
    }

    @Test
    void should_start_with_a_handful_of_lines_and_log_each_finished_token(TestCouch couch) throws Exception {
        String database = couch.createDatabase();
        io.couchwork.testing.TestPools.fill(couch, database, 2);
        List<String> args = new java.util.ArrayList<>(List.of("run"));
        couch.properties(database).forEach((k, v) -> args.addAll(List.of("-D", k + "=" + v)));
        LaunchedApp app = launch(args, Map.of());
        try {
            await().atMost(Duration.ofSeconds(60)).until(() -> app.output().lines()
                    .filter(l -> l.contains(" done in ")).count() == 2);
            List<String> startLines = app.output().lines().takeWhile(l -> !l.contains("Token "))
                    .filter(l -> l.contains(" INFO ")).toList();
            assertThat(startLines).hasSizeLessThanOrEqualTo(10)
                    .anyMatch(l -> l.contains("Connected to") && l.contains("database '" + database + "'"))
                    .anyMatch(l -> l.contains("Routes on: ") && l.contains("processTokens"));
            assertThat(app.output()).doesNotContain("Exchange[", "{{env:", "0.0.0.0", "xxxxxx");
        } finally {
            app.process().toHandle().destroy();
            app.process().waitFor(60, TimeUnit.SECONDS);
        }
    }

    @Test
    void should_show_a_yaml_error_with_its_line_and_a_caret_and_no_signal_line(TestCouch couch) throws Exception {
        Path routes = java.nio.file.Files.createDirectories(workingDirectory.resolve("routes"));
        java.nio.file.Files.writeString(routes.resolve("broken.camel.yaml"), """
                - route:
                    id: brokenRoute
                    from:
                      uri: "timer:x"
                      steps:
                        - log: "hi
                """);
        List<String> args = new java.util.ArrayList<>(List.of("run", "-D", "couchwork.pool.enabled=false",
                "-D", "camel.main.routes-include-pattern=file:" + routes + "/*.camel.yaml"));
        couch.properties(couch.createDatabase()).forEach((k, v) -> args.addAll(List.of("-D", k + "=" + v)));
        LaunchedApp app = launch(args, Map.of());
        assertThat(app.awaitExit()).isEqualTo(78);
        assertThat(app.output().lines().dropWhile(l -> !l.startsWith("couchwork:")).limit(3)).containsExactly(
                "couchwork: Cannot start: invalid YAML in " + routes.resolve("broken.camel.yaml") + ":7:1: found"
                        + " unexpected end of stream (while scanning a quoted scalar at line 6, column 16)",
                "  6 |         - log: \"hi",
                "    |                ^");
        assertThat(app.output()).doesNotContain("SIGTERM");
    }

    private LaunchedApp launch(List<String> args, Map<String, String> env) throws IOException {
        return LaunchedApp.launch(workingDirectory, args, env);
    }
}
