package io.couchwork.reliability;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import io.couchwork.devserver.BundledCouchServer;
import io.couchwork.testing.AuthServer;
import io.couchwork.testing.CouchDbServerExtension;
import io.couchwork.testing.FixedAnswerServer;
import io.couchwork.testing.LaunchedApp;
import io.couchwork.testing.PlainHttp;
import io.couchwork.testing.TestCouch;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad input of every kind: start-up problems (settings, route files, the server) end the process once with one line
 * naming what is wrong and where and a distinct exit code; malformed tokens are reported by name while the worker
 * keeps running good ones; failing jobs, huge output, invalid flow documents and a deleted database are handled.
 */
@ExtendWith(CouchDbServerExtension.class)
class BadInputScenario {

    private static final Duration WAIT = Duration.ofSeconds(120);

    @TempDir
    Path temp;

    @Test
    void bad_input_gets_a_clear_error_and_never_a_crash_loop(TestCouch couch) throws Exception {
        Cases cases = new Cases();
        long t0 = System.nanoTime();
        startupFailures(couch, cases);
        long startupSeconds = (System.nanoTime() - t0) / 1_000_000_000;
        malformedTokens(couch, cases);
        deletedDatabase(couch, cases);
        ReliabilityReport.section(50, "Bad input", String.format("""
                %d cases of bad input. Start-up cases run the packaged `bin/couchwork run` (a few at a time) and expect
                one exit with the right code and a single `couchwork:` line naming what is wrong and where, without a
                stack trace. Token cases write malformed, odd and hostile tokens next to good ones into the pool of a
                running worker process (command `sh -c {script}`, 2 attempts, 1 s retry delay) and check the documents
                and the worker's log. %d of %d passed; the start-up cases took %d s, the whole scenario %d s.

                %s
                """, cases.size(), cases.passed(), cases.size(), startupSeconds, (System.nanoTime() - t0) / 1_000_000_000,
                cases.markdown()));
        cases.assertAllPassed();
    }

    // ----------------------------------------------------------------------------------------------------------------

    private void startupFailures(TestCouch couch, Cases cases) throws Exception {
        String url = couch.url();
        Map<String, String> server = new HashMap<>();
        server.put("COUCHDB_URL", url);
        if (!couch.user().isEmpty()) {
            server.put("COUCHDB_USER", couch.user());
            server.put("COUCHDB_PASSWORD", couch.password());
        }
        String db = couch.newDatabaseName();
        List<StartupCase> all = new ArrayList<>();
        all.add(run("configuration key typo (-D)", server, db, 78, List.of("Unknown setting couchwork.pool.concurency",
                "did you mean couchwork.pool.concurrency?"), "couchwork.pool.concurency=8"));
        Path config = temp.resolve("typo.properties");
        Files.writeString(config, Files.readString(Path.of("config/application.properties"))
                + "\ncouchwork.exec.comand = echo hi\n");
        long typoLine = Files.readAllLines(config).size();
        all.add(new StartupCase("configuration key typo (file)", List.of("run", "--config", config.toString(),
                "-D", "couchwork.couchdb.database=" + db), server, 78, List.of("Unknown setting couchwork.exec.comand",
                "typo.properties line " + typoLine, "did you mean couchwork.exec.command?")));
        all.add(run("duration in words", server, db, 78, List.of("couchwork.pool.lease-duration = '5 minutes'",
                "expected a duration"), "couchwork.pool.lease-duration=5 minutes"));
        all.add(run("negative concurrency", server, db, 78, List.of("couchwork.pool.concurrency = '-3'"),
                "couchwork.pool.concurrency=-3"));
        all.add(run("non-numeric port", server, db, 78, List.of("couchwork.http.port = 'eighty'"),
                "couchwork.http.enabled=true", "couchwork.http.port=eighty"));
        all.add(run("not a boolean", server, db, 78, List.of("couchwork.pool.enabled = 'maybe'", "true or false"),
                "couchwork.pool.enabled=maybe"));
        all.add(run("unknown crash policy", server, db, 78, List.of("couchwork.flows.on-crash = 'retry'",
                "park or rerun"), "couchwork.flows.on-crash=retry"));
        all.add(run("non-numeric exit codes", server, db, 78, List.of("couchwork.pool.non-retryable-exit-codes"),
                "couchwork.pool.non-retryable-exit-codes=1,two"));
        all.add(run("invalid database name", server, db, 78, List.of("couchwork.couchdb.database = 'Bad Name'"),
                "couchwork.couchdb.database=Bad Name"));
        all.add(run("URL without scheme", server, db, 78, List.of("couchwork.couchdb.url", "couchdb.example:5984"),
                "couchwork.couchdb.url=couchdb.example:5984"));
        all.add(new StartupCase("configuration file missing", List.of("run", "--config", temp.resolve("nope.properties")
                .toString()), server, 78, List.of("nope.properties not found")));
        all.add(new StartupCase("unknown command-line option", List.of("run", "--concurency", "4"), server, 2,
                List.of("Unknown options: '--concurency'", "did you mean --config?")));
        all.add(routeCase("YAML syntax error", server, db, "broken.camel.yaml", """
                - route:
                    id: broken
                    from:
                      uri: "timer:x"
                      steps:
                        - log: "unterminated
                """, List.of("broken.camel.yaml", "line ")));
        all.add(routeCase("unknown EIP", server, db, "eip.camel.yaml", """
                - route:
                    id: unknownEip
                    from:
                      uri: "timer:x"
                      steps:
                        - frobnicate:
                            message: hi
                """, List.of("frobnicate", "eip.camel.yaml:6:11")));
        all.add(routeCase("unknown component", server, db, "component.camel.yaml", """
                - route:
                    id: unknownComponent
                    from:
                      uri: "timer:x"
                      steps:
                        - to: "nosuchcomponent:foo"
                """, List.of("nosuchcomponent", "route unknownComponent in", "component.camel.yaml line 2")));
        all.add(routeCase("two routes with the same id", server, db, "duplicate.camel.yaml", """
                - route:
                    id: processTokens
                    from:
                      uri: "timer:x"
                      steps:
                        - log: hi
                """, List.of("Duplicate route ids detected: processTokens", "process-tokens.camel.yaml line",
                "duplicate.camel.yaml line 2")));
        all.add(routeCase("unknown property in a route", server, db, "placeholder.camel.yaml", """
                - route:
                    id: unknownPlaceholder
                    from:
                      uri: "timer:x"
                      parameters:
                        period: "{{couchwork.no-such-setting}}"
                      steps:
                        - log: hi
                """, List.of("couchwork.no-such-setting")));
        all.add(run("unreachable host", Map.of(), db, 69, List.of("Cannot reach CouchDB at http://127.0.0.1:9",
                "connection refused"), "couchwork.couchdb.url=http://127.0.0.1:9", "couchwork.couchdb.wait-for-server=2s"));
        all.add(run("unknown host", Map.of(), db, 69, List.of("http://no-such-host.invalid:5984", "unknown host"),
                "couchwork.couchdb.url=http://no-such-host.invalid:5984", "couchwork.couchdb.wait-for-server=2s"));
        String missingDb = couch.newDatabaseName(); // the other cases may create theirs
        all.add(run("missing database, creation not allowed", server, missingDb, 78, List.of("Database '" + missingDb
                + "' does not exist", "couchwork.couchdb.create-database"), "couchwork.couchdb.create-database=false"));

        HttpServer notCouch = FixedAnswerServer.start(200, "text/html", "<html><body>It works!</body></html>");
        String notCouchUrl = "http://127.0.0.1:" + notCouch.getAddress().getPort();
        all.add(run("a URL that is not CouchDB", Map.of(), db, 78, List.of(notCouchUrl + " does not look like a CouchDB"),
                "couchwork.couchdb.url=" + notCouchUrl));
        try (AuthServer auth = AuthServer.start(couch, "Bad-Input-Pw-7731")) {
            all.add(run("wrong credentials", Map.of("COUCHDB_PASSWORD", "not-the-password"), auth.database(), 77,
                    List.of("CouchDB at " + auth.url() + " rejected user '" + auth.user() + "'"),
                    "couchwork.couchdb.url=" + auth.url(), "couchwork.couchdb.user=" + auth.user()));
            ExecutorService pool = Executors.newFixedThreadPool(3);
            try {
                for (StartupCase c : all) {
                    pool.submit(() -> c.run(temp, cases));
                }
                pool.shutdown();
                pool.awaitTermination(10, TimeUnit.MINUTES);
            } finally {
                pool.shutdownNow();
            }
        } finally {
            notCouch.stop(0);
        }
    }

    private static StartupCase run(String name, Map<String, String> env, String db, int exitCode, List<String> fragments,
            String... settings) {
        List<String> args = new ArrayList<>(List.of("run", "-D", "couchwork.couchdb.database=" + db,
                "-D", "couchwork.report.interval=1h"));
        for (String setting : settings) {
            args.addAll(List.of("-D", setting));
        }
        return new StartupCase(name, args, env, exitCode, fragments);
    }

    private StartupCase routeCase(String name, Map<String, String> env, String db, String file, String yaml,
            List<String> fragments) throws IOException {
        Path routes = Files.createDirectories(temp.resolve("routes-" + file.replace(".camel.yaml", "")));
        try (Stream<Path> shipped = Files.list(Path.of("routes"))) {
            for (Path route : shipped.toList()) {
                Files.copy(route, routes.resolve(route.getFileName()));
            }
        }
        Files.writeString(routes.resolve(file), yaml);
        return run(name, env, db, 78, fragments, "camel.main.routes-include-pattern=file:" + routes + "/*.camel.yaml");
    }

    // ----------------------------------------------------------------------------------------------------------------

    private void malformedTokens(TestCouch couch, Cases cases) throws Exception {
        String db = couch.createDatabase();
        PlainHttp http = new PlainHttp(couch, db);
        Map<String, String> settings = JobScripts.workerSettings(couch, db, "sh -c {script}");
        settings.put("couchwork.pool.max-attempts", "2");
        settings.put("couchwork.pool.poll-interval", "2s");
        settings.put("couchwork.flows.devices.enabled", "true");
        settings.put("couchwork.flows.maximum-redeliveries", "1");
        settings.put("couchwork.flows.redelivery-delay", "100");
        LaunchedApp worker = LaunchedApp.run(temp, settings);
        try {
            await().atMost(WAIT).until(() -> worker.output().contains("serves token types"));
            for (int i = 0; i < 10; i++) {
                http.put("good_before_" + i, token("\"script\": \"echo good " + i + "\""));
            }
            Map<String, String> invalid = new java.util.LinkedHashMap<>();
            invalid.put("lock_string", "\"lock\": \"0\", \"done\": 0");
            invalid.put("done_null", "\"lock\": 0, \"done\": null");
            invalid.put("lock_missing", "\"done\": 0");
            invalid.put("lock_array", "\"lock\": [0], \"done\": 0");
            invalid.put("lock_negative", "\"lock\": -1, \"done\": 0");
            Map<String, String> reason = Map.of("lock_string", "field 'lock' is the string \"0\", not a number",
                    "done_null", "field 'done' is null, not a number", "lock_missing", "field 'lock' is missing",
                    "lock_array", "field 'lock' is an array, not a number", "lock_negative", "match no state");
            for (Map.Entry<String, String> bad : invalid.entrySet()) {
                http.put(bad.getKey(), "{\"type\": \"token\", " + bad.getValue() + ", \"script\": \"echo x\"}");
            }
            http.put("priority_text", token("\"priority\": \"high\", \"script\": \"echo p\""));
            http.put("not_before_text", token("\"not_before\": \"tomorrow\", \"script\": \"echo nb\""));
            http.put("timeout_text", token("\"timeout\": \"ten\", \"script\": \"echo t\""));
            http.put("timeout_object", token("\"timeout\": {\"seconds\": 1}, \"script\": \"echo t\""));
            http.put("bookkeeping_wrong_types", token("\"error\": \"oops\", \"runs\": {\"a\": 1}, \"attempts\": \"2\", "
                    + "\"output\": [1], \"script\": \"echo failing >&2; exit 3\""));
            http.put("field_missing", token("\"input\": \"x\""));
            http.put("no_such_command", token("\"script\": \"no-such-command-couchwork --now\""));
            http.put("gigabyte_output", token("\"script\": \"head -c 1073741824 /dev/zero | tr '\\\\0' x; echo; "
                    + "echo the end\""));
            String oddId = "odd/id with spaces & ü 'quote' $(touch pwned)";
            http.bulk("[" + token("\"_id\": " + json(oddId) + ", \"script\": \"printf %s \\\"$TOKEN_ID\\\"\"") + "]");
            String blob = "x".repeat(5 * 1024 * 1024);
            http.put("five_megabytes", token("\"blob\": \"" + blob + "\", \"script\": \"echo big\""));
            int depth = 5000;
            JsonNode stored = http.put("deeply_nested", token("\"script\": \"echo deep\", \"nest\": "
                    + "{\"a\": ".repeat(depth) + "1" + "}".repeat(depth)));
            String depthNote = "";
            if (!stored.path("ok").asBoolean()) {
                depthNote = depth + " levels refused by the server (" + stored.path("reason").asText() + "); ";
                depth = 3000;
                http.put("deeply_nested", token("\"script\": \"echo deep\", \"nest\": "
                        + "{\"a\": ".repeat(depth) + "1" + "}".repeat(depth)));
            }
            http.put("device_invalid", "{\"type\": \"device\", \"state\": \"new\", \"owner\": \"not-an-e-mail\"}");
            for (int i = 0; i < 10; i++) {
                http.put("good_after_" + i, token("\"script\": \"echo good " + i + "\""));
            }

            await().atMost(WAIT).pollInterval(Duration.ofSeconds(1)).until(() -> Stream.of("good_after_9",
                    "gigabyte_output", "no_such_command", "bookkeeping_wrong_types", "field_missing", "five_megabytes")
                    .allMatch(id -> http.doc(id).path("done").asLong() > 0));
            await().atMost(Duration.ofSeconds(30)).until(() -> invalid.keySet().stream()
                    .allMatch(id -> uncheckedOutput(worker).contains("Token " + id + " (type token) cannot be run")));
            String log = worker.output();

            int good = 0;
            for (String prefix : List.of("good_before_", "good_after_")) {
                for (int i = 0; i < 10; i++) {
                    good += isDone(http.doc(prefix + i)) ? 1 : 0;
                }
            }
            cases.add("good tokens around the bad ones", "all 20 done", good == 20, good + " of 20 done");
            for (String id : invalid.keySet()) {
                JsonNode doc = http.doc(id);
                String line = lineWith(log, "Token " + id + " ");
                cases.add("token: " + invalid.get(id).replace("\"", ""), "left untouched, a warning naming the token "
                        + "and the field", doc.path("_rev").asText().startsWith("1-") && line.contains(reason.get(id)),
                        "rev " + doc.path("_rev").asText().substring(0, 2) + "; " + afterLevel(line));
            }
            for (String id : List.of("priority_text", "not_before_text", "timeout_text", "timeout_object")) {
                JsonNode doc = http.doc(id);
                cases.add("token: " + id.replace('_', ' ') + " (wrong type)", "ignored, token done", isDone(doc),
                        state(doc));
            }
            JsonNode wrong = http.doc("bookkeeping_wrong_types");
            cases.add("token: error a string, runs an object, attempts a string, output an array",
                    "fields replaced, job runs; failing job ends in error after 2 attempts",
                    wrong.path("exit_code").asInt() == 3 && wrong.path("error").size() == 2
                            && wrong.path("runs").isArray(), state(wrong) + ", " + wrong.path("error").size() + " errors");
            JsonNode missing = http.doc("field_missing");
            String missingLine = lineWith(log, "Token field_missing failed");
            cases.add("token without the command's placeholder field", "error at once (not retried), message and log "
                    + "name the field", missing.path("error").size() == 1 && missing.path("exit_code").asInt() != 0
                    && missing.path("error").get(0).path("message").asText().contains("token field 'script'")
                    && missingLine.contains("'script'"), state(missing) + "; " + afterLevel(missingLine));
            JsonNode noCommand = http.doc("no_such_command");
            String noCommandLine = lineWith(log, "Token no_such_command failed");
            cases.add("command that does not exist", "error with exit code 127 and the shell's message, worker keeps "
                    + "running", noCommand.path("exit_code").asInt() == 127 && noCommand.path("error").get(0)
                    .path("message").asText().contains("not found") && noCommandLine.contains("127"),
                    state(noCommand) + "; " + afterLevel(noCommandLine));
            JsonNode huge = http.doc("gigabyte_output");
            int docBytes = huge.toString().length();
            long attached = huge.path("_attachments").path("stdout.log").path("length").asLong();
            cases.add("job printing 1 GiB", "done; output and stdout.log bounded, document small", isDone(huge)
                    && docBytes < 20_000 && attached <= 1_100_000 && huge.path("stdout_tail").asText().endsWith("the end\n"),
                    state(huge) + ", document " + docBytes + " bytes, stdout.log " + attached + " bytes");
            JsonNode odd = http.doc(URLEncoder.encode(oddId, StandardCharsets.UTF_8).replace("+", "%20"));
            cases.add("id with slash, spaces, quotes, $( ) and non-ASCII", "done; the job sees the id verbatim",
                    isDone(odd) && odd.path("stdout_tail").asText().equals(oddId) && !Files.exists(temp.resolve("pwned")),
                    state(odd) + ", stdout_tail " + odd.path("stdout_tail"));
            JsonNode big = http.doc("five_megabytes");
            cases.add("5 MiB token", "done, document not grown", isDone(big) && big.toString().length() < 5_300_000,
                    state(big) + ", " + big.toString().length() + " bytes");
            // the revision from _all_docs: the document itself is too deep for this test's plain JSON reader
            String deepRev = http.get("/_all_docs?key=%22deeply_nested%22").path("rows").path(0).path("value")
                    .path("rev").asText();
            String deepLine = lineWith(log, "Token deeply_nested ");
            cases.add("token nested " + depth + " levels", "reported and left untouched; the worker reads on",
                    deepRev.startsWith("1-") && deepLine.contains("levels deep"),
                    depthNote + afterLevel(deepLine));
            JsonNode letter = deadLetterOf(http, "device_invalid");
            cases.add("flow document failing its JSON Schema", "dead letter naming the document and the field",
                    letter != null && letter.path("cause").asText().contains("owner")
                            && http.doc("device_invalid").path("state").asText().equals("dead_letter"),
                    letter == null ? "no dead letter" : letter.path("cause").asText());
            long starts = log.lines().filter(l -> l.contains("serves token types")).count();
            cases.add("no crash loop under bad tokens", "worker alive, started once", worker.process().isAlive()
                    && starts == 1, (worker.process().isAlive() ? "alive" : "exited") + ", started " + starts + "×");
        } finally {
            worker.stop();
        }
    }

    // ----------------------------------------------------------------------------------------------------------------

    private void deletedDatabase(TestCouch shared, Cases cases) throws Exception {
        // PouchDB Server may crash when a database with a pending longpoll is deleted: use a server of our own
        BundledCouchServer own = shared.isBundled()
                ? CouchDbServerExtension.startBundledServer(BundledCouchServer.Options.inMemory()) : null;
        String serverNote = "";
        TestCouch couch = own != null ? TestCouch.forUrl(own.url()) : shared;
        try {
            String db = couch.createDatabase();
            PlainHttp http = new PlainHttp(couch, db);
            Map<String, String> settings = JobScripts.workerSettings(couch, db, "echo {_id}");
            LaunchedApp worker = LaunchedApp.run(temp, settings);
            try {
                http.put("before", token("\"x\": 1"));
                await().atMost(WAIT).until(() -> isDone(http.doc("before"))
                        && uncheckedOutput(worker).contains("Connected to database"));
                couch.client().deleteDatabase(new com.ibm.cloud.cloudant.v1.model.DeleteDatabaseOptions.Builder(db)
                        .build()).execute();
                Thread.sleep(1000);
                if (own != null && !own.isAlive()) {
                    // PouchDB Server's quirk: an empty server on the same port is the same situation for the worker
                    own = CouchDbServerExtension.startBundledServer(BundledCouchServer.Options.inMemory()
                            .onPort(own.port()));
                    serverNote = " (PouchDB Server crashed on the deletion and was restarted empty)";
                }
                if (!within(Duration.ofSeconds(60), () -> uncheckedOutput(worker).contains("does not exist"))) {
                    List<String> lines = List.of(worker.output().split("\n"));
                    cases.add("database deleted while the worker runs", "says so", false, "no notice; last lines: "
                            + lines.subList(Math.max(0, lines.size() - 6), lines.size()).stream()
                            .map(BadInputScenario::afterLevel).toList() + serverNote);
                    return;
                }
                int linesAtNotice = worker.output().split("\n").length;
                Thread.sleep(15_000); // a fixed window: how much the worker logs while the database is gone
                List<String> window = List.of(worker.output().split("\n"));
                int linesIn15s = window.size() - linesAtNotice;
                String mostLogged = window.subList(linesAtNotice, window.size()).stream()
                        .map(l -> afterLevel(l).replaceAll("[0-9]+", "N"))
                        .collect(java.util.stream.Collectors.groupingBy(l -> l, java.util.stream.Collectors.counting()))
                        .entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(2)
                        .map(e -> e.getValue() + "× " + e.getKey()).toList().toString();
                couch.client().putDatabase(new com.ibm.cloud.cloudant.v1.model.PutDatabaseOptions.Builder(db).build())
                        .execute();
                http.put("after", token("\"x\": 2"));
                boolean resumed = within(Duration.ofSeconds(90), () -> isDone(http.doc("after")));
                String notice = lineWith(worker.output(), "does not exist");
                cases.add("database deleted while the worker runs", "says so, keeps trying without spinning (< 30 log "
                        + "lines in 15 s), resumes when it is back", worker.process().isAlive() && linesIn15s < 30
                        && resumed, afterLevel(notice) + "; " + linesIn15s + " lines in 15 s (" + (linesIn15s < 30 ? "" : mostLogged) + "); "
                        + (resumed ? "resumed" : "did not resume") + serverNote);
            } finally {
                worker.stop();
            }
        } finally {
            if (own != null) {
                own.close();
            }
        }
    }

    // ----------------------------------------------------------------------------------------------------------------

    /** Waits like await().until, but answers false instead of failing: the case records what was seen. */
    private static boolean within(Duration limit, java.util.concurrent.Callable<Boolean> condition) {
        try {
            await().atMost(limit).until(condition);
            return true;
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            return false;
        }
    }

    private static String token(String fields) {
        return "{\"type\": \"token\", \"lock\": 0, \"done\": 0, " + fields + "}";
    }

    private static String json(String text) {
        return io.couchwork.couchdb.Json.text(com.fasterxml.jackson.databind.node.TextNode.valueOf(text));
    }

    private static boolean isDone(JsonNode doc) {
        return doc.path("done").asLong() > 0 && "0".equals(doc.path("exit_code").asText());
    }

    private static String state(JsonNode doc) {
        if (doc.path("done").asLong() > 0) {
            return "0".equals(doc.path("exit_code").asText()) ? "done" : "error (exit " + doc.path("exit_code") + ")";
        }
        return doc.path("lock").asLong() > 0 ? "locked" : "todo";
    }

    private static String lineWith(String log, String fragment) {
        return log.lines().filter(l -> l.contains(fragment)).findFirst().orElse("(no such log line)");
    }

    private static String afterLevel(String line) {
        int dash = line.indexOf(" - ");
        return dash < 0 ? line : line.substring(dash + 3);
    }

    private static String uncheckedOutput(LaunchedApp app) {
        try {
            return app.output();
        } catch (IOException e) {
            return "";
        }
    }

    private static JsonNode deadLetterOf(PlainHttp http, String docId) {
        for (JsonNode row : http.get("/_all_docs?include_docs=true&startkey=%22dead_letter_%22&endkey=%22dead_letter_"
                + "%EF%BF%B0%22").path("rows")) {
            if (docId.equals(row.path("doc").path("doc_id").asText())) {
                return row.get("doc");
            }
        }
        return null;
    }
}
