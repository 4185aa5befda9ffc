package io.couchwork.reliability;

import static org.awaitility.Awaitility.await;

import io.couchwork.testing.AuthServer;
import io.couchwork.testing.CouchDbServerExtension;
import io.couchwork.testing.HttpApp;
import io.couchwork.testing.LaunchedApp;
import io.couchwork.testing.PlainHttp;
import io.couchwork.testing.TestCouch;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A distinctive CouchDB password and dashboard password, and every place Couchwork writes text: its DEBUG log, start-up
 * failures, the metrics, the status API and command, token documents and their logs, dead letters. Neither password
 * may appear anywhere; credentials in URLs are masked; an exposed dashboard asks for its credentials.
 */
@ExtendWith(CouchDbServerExtension.class)
class SecretsScenario {

    private static final String PASSWORD = "Qx7-Couchwork-Secret-1949";
    private static final String HTTP_PASSWORD = "Dashboard-Secret-8812";
    private static final Duration WAIT = Duration.ofSeconds(90);

    @TempDir
    Path temp;

    @Test
    void passwords_never_appear_and_the_exposed_dashboard_asks_for_credentials(TestCouch couch) throws Exception {
        Cases cases = new Cases();
        try (AuthServer auth = AuthServer.start(couch, PASSWORD)) {
            // against COUCHDB_URL the server's own password is the known one
            String password = auth.password();
            List<String> secrets = List.of(password, HTTP_PASSWORD);
            String withCredentials = auth.url().replace("://", "://" + auth.user() + ":" + password + "@");
            Map<String, String> env = new HashMap<>(Map.of("COUCHWORK_LOG_LEVEL", "DEBUG", "COUCHDB_URL",
                    withCredentials, "COUCHDB_PASSWORD", password, "COUCHWORK_HTTP_PASSWORD", HTTP_PASSWORD));
            HttpApp http = HttpApp.onFreePort();
            List<String> args = new ArrayList<>(List.of("run"));
            Map<String, String> settings = new HashMap<>(http.settings());
            settings.put("couchwork.couchdb.database", auth.database());
            settings.put("couchwork.http.host", "0.0.0.0");
            settings.put("couchwork.http.user", "ops");
            settings.put("couchwork.exec.command", "sh -c {script}");
            settings.put("couchwork.pool.max-attempts", "1");
            settings.put("couchwork.pool.poll-interval", "2s");
            settings.put("couchwork.flows.devices.enabled", "true");
            settings.put("couchwork.flows.maximum-redeliveries", "0");
            settings.forEach((k, v) -> args.addAll(List.of("-D", k + "=" + v)));
            PlainHttp docs = new PlainHttp(new AuthCouch(auth).couch(), auth.database());
            LaunchedApp app = LaunchedApp.launch(temp, args, env);
            try {
                await().atMost(WAIT).until(() -> app.output().contains("serves token types"));
                docs.put("prints_env", token("env; exit 1"));
                docs.put("prints_url", token("echo \\\"cannot reach $COUCHDB_URL\\\" >&2; exit 2"));
                docs.put("device_invalid", "{\"type\": \"device\", \"state\": \"new\", \"owner\": \"nobody\"}");
                await().atMost(WAIT).until(() -> docs.doc("prints_env").path("done").asLong() > 0
                        && docs.doc("prints_url").path("done").asLong() > 0
                        && "dead_letter".equals(docs.doc("device_invalid").path("state").asText()));
                String all = docs.get("/_all_docs?include_docs=true").toString();
                String attachments = new String(docs.attachment("prints_env", "stdout.log"), StandardCharsets.UTF_8)
                        + new String(docs.attachment("prints_url", "stderr.log"), StandardCharsets.UTF_8);
                cases.add("token documents (error, output, runs) and dead letters", "no password",
                        clean(all, secrets) && all.contains("dead_letter_"), leaks(all, secrets));
                cases.add("job logs (a job printing its environment and COUCHDB_URL)", "no password: jobs do not "
                        + "inherit the worker's credentials", clean(attachments, secrets)
                        && attachments.contains("cannot reach"), leaks(attachments, secrets) + "; stderr: "
                        + docs.doc("prints_url").path("error").path(0).path("message").asText());

                HttpResponse<String> metrics = http.get("/observe/metrics", "ops", HTTP_PASSWORD);
                HttpResponse<String> status = http.get("/api/status", "ops", HTTP_PASSWORD);
                cases.add("metrics endpoint", "200, no password", metrics.statusCode() == 200
                        && clean(metrics.body(), secrets), metrics.statusCode() + ", " + leaks(metrics.body(), secrets));
                cases.add("/api/status", "200, no password", status.statusCode() == 200 && clean(status.body(), secrets),
                        status.statusCode() + ", " + leaks(status.body(), secrets));
                List<String> refused = new ArrayList<>();
                for (String path : List.of("/", "/api/status", "/observe/metrics", "/observe/health")) {
                    refused.add(path + " " + http.get(path).statusCode() + "/" + http.get(path, "ops", "wrong")
                            .statusCode());
                }
                cases.add("dashboard on 0.0.0.0 without or with wrong credentials", "401 on every path",
                        refused.stream().allMatch(r -> r.endsWith(" 401/401")), String.join(", ", refused));

                LaunchedApp statusCommand = LaunchedApp.launch(temp, List.of("status", "-D", "couchwork.couchdb"
                        + ".database=" + auth.database()), env);
                int statusExit = statusCommand.awaitExit();
                String statusOutput = statusCommand.output();
                cases.add("status command (DEBUG, credentials in COUCHDB_URL)", "exit 0, no password",
                        statusExit == 0 && clean(statusOutput, secrets), "exit " + statusExit + ", "
                                + leaks(statusOutput, secrets));
            } finally {
                app.stop();
            }
            String log = app.output();
            cases.add("worker log at DEBUG level", "no password; the server URL shown without credentials",
                    clean(log, secrets) && log.contains(auth.url()) && log.lines().count() > 200, log.lines().count()
                            + " lines, " + leaks(log, secrets));

            String wrong = "Wrong-Pw-Distinct-3141";
            LaunchedApp rejected = LaunchedApp.launch(temp, List.of("run", "-D", "couchwork.couchdb.database="
                    + auth.database()), Map.of("COUCHWORK_LOG_LEVEL", "DEBUG", "COUCHDB_URL", auth.url().replace("://",
                    "://" + auth.user() + ":" + wrong + "@")));
            int rejectedExit = rejected.awaitExit();
            cases.add("start-up with a wrong password in the URL (DEBUG)", "exit 77, the password tried not shown",
                    rejectedExit == 77 && clean(rejected.output(), List.of(wrong, password)), "exit " + rejectedExit
                            + ", " + leaks(rejected.output(), List.of(wrong, password)));
            LaunchedApp unreachable = LaunchedApp.launch(temp, List.of("run", "-D",
                    "couchwork.couchdb.wait-for-server=2s"), Map.of("COUCHWORK_LOG_LEVEL", "DEBUG", "COUCHDB_URL",
                    "http://user:" + password + "@127.0.0.1:9"));
            int unreachableExit = unreachable.awaitExit();
            String unreachableOutput = unreachable.output();
            cases.add("unreachable host, credentials in the URL (DEBUG)", "exit 69, URL shown without credentials",
                    unreachableExit == 69 && clean(unreachableOutput, secrets)
                            && unreachableOutput.contains("Cannot reach CouchDB at http://127.0.0.1:9"),
                    "exit " + unreachableExit + ", " + leaks(unreachableOutput, secrets));
            LaunchedApp exposed = LaunchedApp.launch(temp, List.of("run", "-D", "couchwork.http.enabled=true",
                    "-D", "couchwork.http.host=0.0.0.0", "-D", "couchwork.couchdb.database=" + auth.database()),
                    Map.of("COUCHDB_URL", withCredentials));
            int exposedExit = exposed.awaitExit();
            String exposedLine = exposed.output().lines().filter(l -> l.startsWith("couchwork:")).findFirst()
                    .orElse("(none)");
            cases.add("dashboard on 0.0.0.0 without credentials configured", "refuses to start, exit 78",
                    exposedExit == 78 && exposedLine.contains("Refusing to serve the dashboard on 0.0.0.0"),
                    "exit " + exposedExit + ": " + exposedLine);
        }
        ReliabilityReport.section(60, "Secrets", String.format("""
                A server with a distinctive admin password (the bundled server with an admin, or COUCHDB_URL's) and a
                dashboard password; a worker at DEBUG level with the password in COUCHDB_URL and COUCHDB_PASSWORD, the
                dashboard bound to 0.0.0.0, jobs that print their environment and COUCHDB_URL, and an invalid flow
                document that becomes a dead letter. Every output was searched for both passwords. %d of %d passed.

                %s
                """, cases.passed(), cases.size(), cases.markdown()));
        cases.assertAllPassed();
    }

    private static String token(String script) {
        return "{\"type\": \"token\", \"lock\": 0, \"done\": 0, \"script\": \"" + script + "\"}";
    }

    private static boolean clean(String text, List<String> secrets) {
        return secrets.stream().noneMatch(text::contains);
    }

    private static String leaks(String text, List<String> secrets) {
        long found = secrets.stream().filter(text::contains).count();
        return found == 0 ? "no password found" : found + " password(s) found";
    }

    /** The AuthServer's credentials as a TestCouch, for the plain client. */
    private record AuthCouch(AuthServer auth) {
        TestCouch couch() {
            return TestCouch.withCredentials(auth.url(), auth.user(), auth.password());
        }
    }
}
