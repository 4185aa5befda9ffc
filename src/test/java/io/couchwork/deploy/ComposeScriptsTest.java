package io.couchwork.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shell scripts of docker/ that docker-compose.yml runs, run here under dash (/bin/sh of Debian and Ubuntu, so of
 * the CouchDB and Temurin images) with fake commands: a fake curl that answers from a script and records each request,
 * and fake Couchwork processes.
 */
class ComposeScriptsTest {

    private static final String ADMIN_PASSWORD = "Adm1n \"pw\" \\ x";
    private static final String WORKER_PASSWORD = "W0rker\"\\pw";

    @TempDir
    Path temp;

    private Path bin;

    @BeforeEach
    void fakeCurl() throws IOException {
        bin = Files.createDirectories(temp.resolve("bin"));
        Files.writeString(temp.resolve("responses"), "");
        executable(bin.resolve("curl"), """
                #!/bin/sh
                # fake curl: records the request, answers with the first line of $FAKE/responses for "METHOD PATH"
                echo "ARGS $*" >> "$FAKE/requests"
                config= method=GET url= writeout= fail=false
                while [ $# -gt 0 ]; do
                  case $1 in
                    --config) [ "$2" = - ] && config=$(cat); shift 2 ;;
                    --request) method=$2; shift 2 ;;
                    --write-out) writeout=$2; shift 2 ;;
                    --max-time | --output) shift 2 ;;
                    --fail) fail=true; shift ;;
                    --*) shift ;;
                    *) url=$1; shift ;;
                  esac
                done
                path=/${url#http://*/}
                printf 'REQUEST %s %s %s\\nCONFIG %s\\n' "$method" "$path" "$url" "$config" >> "$FAKE/requests"
                found=
                : > "$FAKE/responses.new"
                while IFS= read -r line; do
                  if [ -z "$found" ] && [ "${line%% *}" = "$method" ]; then
                    rest=${line#* }
                    if [ "${rest%% *}" = "$path" ]; then found=${rest#* }; continue; fi
                  fi
                  printf '%s\\n' "$line" >> "$FAKE/responses.new"
                done < "$FAKE/responses"
                mv "$FAKE/responses.new" "$FAKE/responses"
                [ -n "$found" ] || found='599 {"error":"unexpected request"}'
                status=${found%% *}
                printf '%s' "${found#* }"
                [ -z "$writeout" ] || printf '%s' "$status"
                if $fail && [ "$status" -ge 400 ]; then exit 22; fi
                exit 0
                """);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // file-env.sh: COUCHDB_PASSWORD_FILE for the official CouchDB image
    // ---------------------------------------------------------------------------------------------------------------

    @Test
    void file_env_should_set_x_from_x_file_without_trailing_line_breaks_and_unset_x_file() throws Exception {
        Path secret = secret("admin", ADMIN_PASSWORD + "\r\n");
        Result r = dash(Map.of("COUCHDB_PASSWORD_FILE", secret.toString(), "OTHER", "kept"), "docker/file-env.sh",
                "COUCHDB_PASSWORD", "COUCHDB_SECRET", "--", "sh", "-c",
                "printf '%s|%s|%s|%s' \"$COUCHDB_PASSWORD\" \"${COUCHDB_PASSWORD_FILE-unset}\" \"${COUCHDB_SECRET-unset}\" \"$OTHER\"");
        assertThat(r.exit).as(r.err).isZero();
        assertThat(r.out).isEqualTo(ADMIN_PASSWORD + "|unset|unset|kept");
    }

    @Test
    void file_env_should_refuse_x_and_x_file_together_and_an_unreadable_file_with_exit_78() throws Exception {
        Path secret = secret("admin", ADMIN_PASSWORD);
        for (String plain : List.of("other", "")) {
            Result both = dash(Map.of("COUCHDB_PASSWORD", plain, "COUCHDB_PASSWORD_FILE", secret.toString()),
                    "docker/file-env.sh", "COUCHDB_PASSWORD", "--", "echo", "started");
            assertThat(both.exit).isEqualTo(78);
            assertThat(both.err).contains("COUCHDB_PASSWORD and COUCHDB_PASSWORD_FILE are both set")
                    .doesNotContain(ADMIN_PASSWORD);
            assertThat(both.out).isEmpty();
        }
        Result missing = dash(Map.of("COUCHDB_PASSWORD_FILE", "/run/secrets/none"), "docker/file-env.sh",
                "COUCHDB_PASSWORD", "--", "echo", "started");
        assertThat(missing.exit).isEqualTo(78);
        assertThat(missing.err).contains("cannot read COUCHDB_PASSWORD_FILE (/run/secrets/none): no such file");
        Result directory = dash(Map.of("COUCHDB_PASSWORD_FILE", temp.toString()), "docker/file-env.sh",
                "COUCHDB_PASSWORD", "--", "echo", "started");
        assertThat(directory.exit).isEqualTo(78);
        assertThat(directory.err).contains("a directory, not a file");
    }

    @Test
    void file_env_should_run_the_command_unchanged_without_x_file() throws Exception {
        Result r = dash(Map.of("COUCHDB_PASSWORD", "plain", "COUCHDB_PASSWORD_FILE", ""), "docker/file-env.sh",
                "COUCHDB_PASSWORD", "--", "sh", "-c", "printf '%s' \"$COUCHDB_PASSWORD\"; exit 3");
        assertThat(r.exit).isEqualTo(3);
        assertThat(r.out).isEqualTo("plain");
        assertThat(dash(Map.of(), "docker/file-env.sh", "COUCHDB_PASSWORD").exit).isEqualTo(64);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // couchwork-entrypoint.sh: no restart into a configuration error
    // ---------------------------------------------------------------------------------------------------------------

    @Test
    void entrypoint_should_exit_0_on_configuration_errors_of_run_and_pass_every_other_code_through() throws Exception {
        Path couchwork = executable(bin.resolve("couchwork"), """
                #!/bin/sh
                echo "couchwork: $*" >&2
                exit "$FAKE_EXIT"
                """);
        Map<Integer, Integer> expected = Map.of(78, 0, 77, 0, 2, 0, 69, 69, 1, 1, 0, 0, 137, 137);
        for (Map.Entry<Integer, Integer> code : expected.entrySet()) {
            Result r = dash(Map.of("FAKE_EXIT", code.getKey().toString()), "docker/couchwork-entrypoint.sh",
                    couchwork.toString(), "run", "-D", "couchwork.pool.types=token");
            assertThat(r.exit).as("exit %d", code.getKey()).isEqualTo(code.getValue());
            assertThat(r.err).contains("couchwork: run -D couchwork.pool.types=token");
            if (code.getValue() != code.getKey().intValue()) {
                assertThat(r.err).contains("Couchwork exited with code " + code.getKey()).contains("Exiting 0");
            }
        }
        Result verbose = dash(Map.of("FAKE_EXIT", "78"), "docker/couchwork-entrypoint.sh", couchwork.toString(),
                "--verbose", "run");
        assertThat(verbose.exit).isZero();
        for (String other : List.of("status", "tokens")) {
            Result r = dash(Map.of("FAKE_EXIT", "78"), "docker/couchwork-entrypoint.sh", couchwork.toString(), other);
            assertThat(r.exit).as(other + " keeps its exit code").isEqualTo(78);
        }
    }

    @Test
    void entrypoint_should_pass_sigterm_on_to_couchwork_and_exit_with_its_code() throws Exception {
        Path ready = temp.resolve("ready");
        Path stopped = temp.resolve("stopped");
        Path couchwork = executable(bin.resolve("couchwork"), """
                #!/bin/sh
                sleep 30 &
                sleeper=$!
                trap 'echo TERM > "$STOPPED"; kill $sleeper; exit 143' TERM
                touch "$READY"
                wait $sleeper
                exit 1
                """);
        ProcessBuilder builder = command(Map.of("READY", ready.toString(), "STOPPED", stopped.toString()),
                "docker/couchwork-entrypoint.sh", couchwork.toString(), "run");
        Process process = builder.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!Files.exists(ready) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(ready).exists();
        process.destroy(); // SIGTERM, as docker stop sends
        assertThat(process.waitFor(10, TimeUnit.SECONDS)).as("the wrapper ends once Couchwork has stopped").isTrue();
        assertThat(process.exitValue()).isEqualTo(143);
        assertThat(Files.readString(stopped).strip()).isEqualTo("TERM");
    }

    // ---------------------------------------------------------------------------------------------------------------
    // couchwork-healthcheck.sh
    // ---------------------------------------------------------------------------------------------------------------

    @Test
    void healthcheck_should_ask_for_readiness_with_the_file_password_given_on_curls_stdin() throws Exception {
        Path password = secret("http", "Dash\"board\\pw\n");
        answer("GET /observe/health/ready 200 {\"status\":\"UP\"}", "GET /observe/health/ready 503 {\"status\":\"DOWN\"}");
        Map<String, String> env = Map.of("COUCHWORK_HTTP_USER", "ops", "COUCHWORK_HTTP_PASSWORD_FILE",
                password.toString());
        assertThat(dash(env, "docker/couchwork-healthcheck.sh").exit).isZero();
        assertThat(dash(env, "docker/couchwork-healthcheck.sh").exit).isNotZero();
        String requests = requests();
        assertThat(requests).contains("REQUEST GET /observe/health/ready http://127.0.0.1:8080/observe/health/ready")
                .contains("CONFIG user = \"ops:Dash\\\"board\\\\pw\"");
        assertThat(args(requests)).doesNotContain("pw");
        answer("GET /observe/health/ready 200 {}");
        assertThat(dash(Map.of("COUCHWORK_HTTP_PORT", "9090"), "docker/couchwork-healthcheck.sh").exit).isZero();
        assertThat(requests()).contains("http://127.0.0.1:9090/observe/health/ready");
    }

    // ---------------------------------------------------------------------------------------------------------------
    // couchdb-init.sh
    // ---------------------------------------------------------------------------------------------------------------

    @Test
    void init_should_create_the_account_the_database_and_its_security_on_a_new_server() throws Exception {
        answer("GET /_session 200 {\"ok\":true,\"userCtx\":{\"name\":\"admin\",\"roles\":[\"_admin\"]}}",
                "GET /_session 401 {\"error\":\"unauthorized\"}",
                "GET /_users/org.couchdb.user:couchwork 404 {\"error\":\"not_found\"}",
                "PUT /_users/org.couchdb.user:couchwork 201 {\"ok\":true}",
                "PUT /couchwork 201 {\"ok\":true}",
                "GET /couchwork/_security 200 {\"members\":{\"roles\":[\"_admin\"]},\"admins\":{\"roles\":[\"_admin\"]}}",
                "PUT /couchwork/_security 200 {\"ok\":true}");
        Result r = init(Map.of());
        assertThat(r.exit).as(r.err).isZero();
        assertThat(r.out).contains("created account couchwork", "created database couchwork",
                "made couchwork admin and member of database couchwork");
        String requests = requests();
        assertThat(requestLines(requests)).containsExactly("GET /_session", "GET /_session",
                "GET /_users/org.couchdb.user:couchwork", "PUT /_users/org.couchdb.user:couchwork", "PUT /couchwork",
                "GET /couchwork/_security", "PUT /couchwork/_security");
        // curl's configuration quotes the JSON, whose strings escape the password: two levels of \ and "
        assertThat(requests).contains("CONFIG user = \"admin:Adm1n \\\"pw\\\" \\\\ x\"")
                .contains("\\\"type\\\":\\\"user\\\",\\\"roles\\\":[],\\\"password\\\":\\\"W0rker\\\\\\\"\\\\\\\\pw\\\"}")
                .contains("data-binary = \"{\\\"admins\\\":{\\\"names\\\":[\\\"couchwork\\\"],\\\"roles\\\":[\\\"_admin"
                        + "\\\"]},\\\"members\\\":{\\\"names\\\":[\\\"couchwork\\\"],\\\"roles\\\":[\\\"_admin\\\"]}}\"");
        assertThat(args(requests)).doesNotContain("Adm1n", "W0rker");
    }

    @Test
    void init_should_change_nothing_when_all_is_in_place() throws Exception {
        answer("GET /_session 200 {\"ok\":true,\"userCtx\":{\"name\":\"admin\",\"roles\":[\"_admin\"]}}",
                "GET /_session 200 {\"ok\":true,\"userCtx\":{\"name\":\"couchwork\",\"roles\":[]}}",
                "PUT /couchwork 412 {\"error\":\"file_exists\"}",
                "GET /couchwork/_security 200 {\"members\":{\"names\":[\"picas\",\"couchwork\"],\"roles\":[]},"
                        + "\"admins\":{\"roles\":[\"_admin\"],\"names\":[\"couchwork\"]}}");
        Result r = init(Map.of());
        assertThat(r.exit).as(r.err).isZero();
        assertThat(requestLines(requests())).containsExactly("GET /_session", "GET /_session", "PUT /couchwork",
                "GET /couchwork/_security");
        assertThat(r.out).contains("account couchwork logs in", "database couchwork exists",
                "couchwork is admin and member of database couchwork");
    }

    @Test
    void init_should_set_a_changed_password_keeping_the_accounts_roles() throws Exception {
        answer("GET /_session 200 {\"ok\":true,\"userCtx\":{\"name\":\"admin\",\"roles\":[\"_admin\"]}}",
                "GET /_session 401 {\"error\":\"unauthorized\"}",
                "GET /_users/org.couchdb.user:worker-1 200 {\"_id\":\"org.couchdb.user:worker-1\",\"_rev\":\"3-abc\","
                        + "\"name\":\"worker-1\",\"roles\":[\"picas\"],\"type\":\"user\",\"password_scheme\":\"pbkdf2\"}",
                "PUT /_users/org.couchdb.user:worker-1 201 {\"ok\":true}",
                "PUT /tokens%2Fpool 412 {\"error\":\"file_exists\"}",
                "GET /tokens%2Fpool/_security 200 {\"members\":{\"names\":[\"worker-1\"]},\"admins\":{\"names\":[\"worker-1\"]}}");
        Result r = init(Map.of("COUCHWORK_COUCHDB_USER", "worker-1", "COUCHDB_DATABASE", "tokens/pool"));
        assertThat(r.exit).as(r.err).isZero();
        assertThat(r.out).contains("set the password of account worker-1");
        assertThat(requests()).contains("\\\"_rev\\\":\\\"3-abc\\\"", "\\\"roles\\\":[\\\"picas\\\"]");
    }

    @Test
    void init_should_leave_a_security_set_by_someone_else_alone_and_say_what_to_add() throws Exception {
        answer("GET /_session 200 {\"ok\":true,\"userCtx\":{\"name\":\"admin\",\"roles\":[\"_admin\"]}}",
                "GET /_session 200 {\"ok\":true,\"userCtx\":{\"name\":\"couchwork\",\"roles\":[]}}",
                "PUT /couchwork 412 {\"error\":\"file_exists\"}",
                "GET /couchwork/_security 200 {\"members\":{\"roles\":[\"picas\"]}}");
        Result r = init(Map.of());
        assertThat(r.exit).isEqualTo(1);
        assertThat(r.err).contains("database couchwork has its own _security", "add \"couchwork\" to both admins.names"
                + " and members.names");
        assertThat(requestLines(requests())).doesNotContain("PUT /couchwork/_security");
    }

    @Test
    void init_should_refuse_a_missing_password_the_admin_as_worker_and_a_rejected_admin() throws Exception {
        Map<String, String> noWorkerPassword = new HashMap<>(base());
        noWorkerPassword.remove("COUCHWORK_COUCHDB_PASSWORD");
        Result missing = dash(noWorkerPassword, "docker/couchdb-init.sh");
        assertThat(missing.exit).isEqualTo(1);
        assertThat(missing.err).contains("set COUCHWORK_COUCHDB_PASSWORD or COUCHWORK_COUCHDB_PASSWORD_FILE");
        Result admin = init(Map.of("COUCHWORK_COUCHDB_USER", "admin"));
        assertThat(admin.exit).isEqualTo(1);
        assertThat(admin.err).contains("is the server admin");
        answer("GET /_session 401 {\"error\":\"unauthorized\"}");
        Result rejected = init(Map.of());
        assertThat(rejected.exit).isEqualTo(1);
        assertThat(rejected.err).contains("rejected the server admin admin: check COUCHDB_USER and COUCHDB_PASSWORD")
                .doesNotContain("Adm1n");
    }

    // ---------------------------------------------------------------------------------------------------------------

    private Result init(Map<String, String> extra) throws Exception {
        Map<String, String> env = new HashMap<>(base());
        env.putAll(extra);
        return dash(env, "docker/couchdb-init.sh");
    }

    private static Map<String, String> base() {
        return Map.of("COUCHDB_URL", "http://couchdb:5984/", "COUCHDB_USER", "admin", "COUCHDB_PASSWORD",
                ADMIN_PASSWORD, "COUCHWORK_COUCHDB_PASSWORD", WORKER_PASSWORD, "COUCHDB_INIT_ATTEMPTS", "2");
    }

    private void answer(String... lines) throws IOException {
        Files.writeString(temp.resolve("responses"), String.join("\n", lines) + "\n");
        Files.deleteIfExists(temp.resolve("requests"));
    }

    private String requests() throws IOException {
        return Files.readString(temp.resolve("requests"));
    }

    private static List<String> requestLines(String requests) {
        return requests.lines().filter(l -> l.startsWith("REQUEST ")).map(l -> {
            String[] parts = l.split(" ");
            return parts[1] + " " + parts[2];
        }).toList();
    }

    private static String args(String requests) {
        return String.join("\n", requests.lines().filter(l -> l.startsWith("ARGS ")).toList());
    }

    private Path secret(String name, String content) throws IOException {
        Path file = temp.resolve(name);
        Files.writeString(file, content);
        return file;
    }

    private static Path executable(Path file, String content) throws IOException {
        Files.writeString(file, content);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
        return file;
    }

    private ProcessBuilder command(Map<String, String> env, String script, String... args) {
        List<String> command = new ArrayList<>(List.of("dash", script));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().clear();
        builder.environment().put("PATH", bin + ":/usr/local/bin:/usr/bin:/bin");
        builder.environment().put("FAKE", temp.toString());
        builder.environment().putAll(env);
        return builder;
    }

    private Result dash(Map<String, String> env, String script, String... args) throws Exception {
        ProcessBuilder builder = command(env, script, args);
        Path out = temp.resolve("out");
        Path err = temp.resolve("err");
        builder.redirectOutput(out.toFile()).redirectError(err.toFile());
        Process process = builder.start();
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).as(script + " ends").isTrue();
        return new Result(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }

    private record Result(int exit, String out, String err) {}
}
