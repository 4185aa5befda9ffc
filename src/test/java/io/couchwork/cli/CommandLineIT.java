package io.couchwork.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.couchwork.Couchwork;
import io.couchwork.app.CouchworkHome;
import io.couchwork.testing.CouchDbServerExtension;
import io.couchwork.testing.TestCouch;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

/** The couchwork command in-process: each bad setting ends in one clear line on stderr and a meaningful exit code. */
@ExtendWith(CouchDbServerExtension.class)
class CommandLineIT {

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @Test
    void should_list_the_commands_in_help() {
        assertThat(execute("--help")).isZero();
        assertThat(out.toString()).contains("run ", "demo ", "dev-server ");
    }

    @Test
    void should_fail_with_one_line_when_the_server_is_unreachable() {
        int code = execute("run", "-D", "couchwork.couchdb.url=http://127.0.0.1:" + freePort(),
                "-D", "couchwork.couchdb.wait-for-server=0s");
        assertThat(code).isEqualTo(69);
        assertThat(err.toString().lines()).singleElement().asString()
                .startsWith("couchwork: Cannot reach CouchDB at http://127.0.0.1:").contains("connection refused");
    }

    @Test
    void should_fail_with_one_line_on_an_invalid_duration() {
        assertThat(execute("run", "-D", "couchwork.couchdb.wait-for-server=soon")).isEqualTo(78);
        assertThat(err.toString().lines()).containsExactly("couchwork: Invalid setting couchwork.couchdb.wait-for-server"
                + " = 'soon': expected a duration such as 30s, 5m, 1h30m or PT5M (-D couchwork.couchdb.wait-for-server)");
    }

    @Test
    void should_fail_with_one_line_naming_a_missing_config_file(@TempDir Path dir) {
        Path missing = dir.resolve("nope.properties");
        assertThat(execute("run", "--config", missing.toString())).isEqualTo(78);
        assertThat(err.toString().lines()).singleElement().asString()
                .startsWith("couchwork: Configuration file " + missing + " not found");
    }

    @Test
    void should_name_the_file_and_line_of_an_invalid_route(TestCouch couch, @TempDir Path home) throws IOException {
        Files.createDirectories(home.resolve("config"));
        Files.copy(Path.of("config/application.properties"), home.resolve("config/application.properties"));
        Files.createDirectories(home.resolve("routes"));
        Files.writeString(home.resolve("routes/broken.camel.yaml"), """
                - route:
                    id: brokenRoute
                    from:
                      uri: timer
                      parameters:
                        timerName: broken
                      steps:
                        - notAStep: {}
                """);
        String previous = System.setProperty(CouchworkHome.LAUNCH_PROPERTY, home.toString());
        try {
            List<String> args = new ArrayList<>(List.of("run"));
            for (Map.Entry<String, String> e : couch.properties(couch.newDatabaseName()).entrySet()) {
                args.addAll(List.of("-D", e.getKey() + "=" + e.getValue()));
            }
            assertThat(execute(args.toArray(String[]::new))).isEqualTo(78);
        } finally {
            restore(CouchworkHome.LAUNCH_PROPERTY, previous);
        }
        assertThat(err.toString().lines()).containsExactly(
                "couchwork: Cannot start: invalid YAML in " + home.resolve("routes/broken.camel.yaml") + ":8:11: Unknown"
                        + " node id: notAStep",
                "  8 |         - notAStep: {}",
                "    |           ^");
    }

    @Test
    void should_refuse_an_unknown_setting_and_suggest_the_known_one() {
        assertThat(execute("run", "-D", "couchwork.pool.concurency=8")).isEqualTo(78);
        assertThat(err.toString().lines()).containsExactly("couchwork: Unknown setting couchwork.pool.concurency"
                + " (-D couchwork.pool.concurency): did you mean couchwork.pool.concurrency?");
    }

    @Test
    void should_refuse_a_misspelt_setting_in_every_command_not_only_run(TestCouch couch, @TempDir Path dir)
            throws IOException {
        Path inputs = Files.writeString(dir.resolve("inputs.txt"), "a\nb\n");
        List<String> args = new ArrayList<>(List.of("status"));
        couch.properties(couch.createDatabase()).forEach((k, v) -> args.addAll(List.of("-D", k + "=" + v)));
        args.addAll(List.of("-D", "couchwork.couchdb.databse=other"));
        assertThat(execute(args.toArray(String[]::new))).isEqualTo(78);
        assertThat(err.toString().lines()).containsExactly("couchwork: Unknown setting couchwork.couchdb.databse"
                + " (-D couchwork.couchdb.databse): did you mean couchwork.couchdb.database?");
        args.set(0, "load");
        args.add(1, inputs.toString());
        err.getBuffer().setLength(0);
        assertThat(execute(args.toArray(String[]::new))).isEqualTo(78);
        assertThat(err.toString()).contains("Unknown setting couchwork.couchdb.databse");
        assertThat(couch.client().getAllDbs().execute().getResult()).doesNotContain("other");
    }

    @Test
    void should_refuse_a_d_option_outside_the_settings_namespaces() {
        assertThat(execute("status", "-D", "foo.bar=1", "-D", "couchdb.database=x")).isEqualTo(78);
        assertThat(err.toString().lines()).containsExactly("couchwork: -D foo.bar is not a setting: -D sets couchwork.*"
                + " and camel.* settings only; -D couchdb.database is not a setting: -D sets couchwork.* and camel.*"
                + " settings only; did you mean -D couchwork.couchdb.database?");
    }

    @Test
    void should_call_a_bare_couchwork_a_usage_error() {
        assertThat(execute()).isEqualTo(2);
        assertThat(err.toString()).startsWith("couchwork: a command is missing").contains("run ", "status ");
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void should_say_so_when_status_is_asked_for_a_set_that_does_not_exist(TestCouch couch) throws Exception {
        String database = couch.createDatabase();
        io.couchwork.testing.TestPools.fill(couch, database, 2);
        List<String> args = new ArrayList<>(List.of("status", "--set", "nosuch"));
        couch.properties(database).forEach((k, v) -> args.addAll(List.of("-D", k + "=" + v)));
        assertThat(execute(args.toArray(String[]::new))).isEqualTo(2);
        assertThat(err.toString().lines()).containsExactly("couchwork: No token set 'nosuch' in database '" + database
                + "'; its sets: token");
    }

    @Test
    void should_answer_an_unknown_option_with_one_line_and_a_suggestion() {
        assertThat(execute("run", "--confg", "x")).isEqualTo(2);
        assertThat(err.toString().lines()).singleElement().asString()
                .startsWith("couchwork: Unknown options: '--confg', 'x'").contains("did you mean --config?");
    }

    @Test
    void should_name_the_files_of_a_duplicate_route_id(TestCouch couch, @TempDir Path home) throws IOException {
        String route = """
                - route:
                    id: sameId
                    from:
                      uri: "timer:%s"
                      steps:
                        - log: hi
                """;
        runWithRoutes(couch, home, Map.of("a.camel.yaml", route.formatted("a"), "b.camel.yaml", route.formatted("b")));
        assertThat(err.toString().lines()).singleElement().asString()
                .contains("Duplicate route ids detected: sameId")
                .contains("route sameId in " + home.resolve("routes/a.camel.yaml") + " line 2 and "
                        + home.resolve("routes/b.camel.yaml") + " line 2");
    }

    @Test
    void should_name_the_file_of_a_route_using_an_unknown_component(TestCouch couch, @TempDir Path home)
            throws IOException {
        runWithRoutes(couch, home, Map.of("c.camel.yaml", """
                - route:
                    id: usesNothing
                    from:
                      uri: "timer:c"
                      steps:
                        - to: "nosuchcomponent:x"
                """));
        assertThat(err.toString().lines()).singleElement().asString()
                .contains("No endpoint could be found for: nosuchcomponent://x")
                .contains("route usesNothing in " + home.resolve("routes/c.camel.yaml") + " line 2");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            concurency: 4                | endpoint tokens://options: unknown option concurency (did you mean concurrency?)
            concurrency: four            | option concurrency must be a whole number, not 'four'
            leaseDuration: five minutes  | option leaseDuration = 'five minutes' is not valid: expected a duration such as 30s
            leaseDuration: 1s            | leaseDuration must be at least 3s
            """)
    void should_name_a_wrong_endpoint_option_its_route_and_file(String option, String message, TestCouch couch,
            @TempDir Path home) throws IOException {
        runWithRoutes(couch, home, Map.of("options.camel.yaml", """
                - route:
                    id: takeTokens
                    from:
                      uri: "tokens:options"
                      parameters:
                        %s
                      steps:
                        - log: hi
                """.formatted(option)));
        assertThat(err.toString().lines()).singleElement().asString()
                .startsWith("couchwork: ")
                .contains(message)
                .contains("route takeTokens in " + home.resolve("routes/options.camel.yaml") + " line 2");
    }

    private void runWithRoutes(TestCouch couch, Path home, Map<String, String> routes) throws IOException {
        Files.createDirectories(home.resolve("config"));
        Files.copy(Path.of("config/application.properties"), home.resolve("config/application.properties"));
        Files.createDirectories(home.resolve("routes"));
        for (Map.Entry<String, String> route : routes.entrySet()) {
            Files.writeString(home.resolve("routes").resolve(route.getKey()), route.getValue());
        }
        String previous = System.setProperty(CouchworkHome.LAUNCH_PROPERTY, home.toString());
        try {
            List<String> args = new ArrayList<>(List.of("run", "-D", "couchwork.pool.enabled=false"));
            for (Map.Entry<String, String> e : couch.properties(couch.newDatabaseName()).entrySet()) {
                args.addAll(List.of("-D", e.getKey() + "=" + e.getValue()));
            }
            assertThat(execute(args.toArray(String[]::new))).isEqualTo(78);
        } finally {
            restore(CouchworkHome.LAUNCH_PROPERTY, previous);
        }
    }

    private int execute(String... args) {
        CommandLine command = Couchwork.commandLine();
        command.setOut(new PrintWriter(out, true));
        command.setErr(new PrintWriter(err, true));
        return command.execute(args);
    }

    private static void restore(String key, String previous) {
        if (previous == null) {
            System.clearProperty(key);
        } else {
            System.setProperty(key, previous);
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
