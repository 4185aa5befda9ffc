package io.couchwork.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.couchwork.app.CouchworkHome;
import io.couchwork.camel.ChangesHeaders;
import io.couchwork.couchdb.Json;
import io.couchwork.testing.CouchDbServerExtension;
import io.couchwork.testing.FaultInjectingProxy;
import io.couchwork.testing.PlainHttp;
import io.couchwork.testing.RunningApp;
import io.couchwork.testing.TestCouch;
import io.couchwork.testing.TestHome;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.camel.Exchange;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** State-handler flows with the real app and routes/: channel setup, advance with merges, dead letters, run-once. */
@ExtendWith(CouchDbServerExtension.class)
class FlowIT {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String TEST_ROUTES = """
            - route:
                id: handleJobs
                routeConfigurationId: flowErrors
                from:
                  uri: "changes:handleJobs"
                  parameters:
                    types: job
                    states: new
                    concurrency: 4
                  steps:
                    - to:
                        uri: "bean:stateHandlers?method=claim"
                    - to:
                        uri: "bean:sideEffect?method=perform"
                    - to:
                        uri: "bean:stateHandlers?method=advance"
            """;

    @TempDir
    Path home;

    private CouchworkHome testHome;

    /** The test's handler: counts side effects per document, can wait for the test, and can fail. */
    public static final class SideEffect {
        final List<String> performed = new CopyOnWriteArrayList<>();
        final AtomicInteger failuresLeft = new AtomicInteger();
        volatile CountDownLatch gate = new CountDownLatch(0);
        volatile CountDownLatch entered = new CountDownLatch(1);

        public void perform(Exchange exchange) throws InterruptedException {
            String id = exchange.getMessage().getHeader(ChangesHeaders.DOC_ID, String.class);
            entered.countDown();
            gate.await(30, TimeUnit.SECONDS);
            if (failuresLeft.getAndDecrement() > 0) {
                throw new IllegalStateException("handler failed on " + id);
            }
            performed.add(id);
            ObjectNode result = Json.object();
            result.put("result", "handled " + id);
            exchange.getMessage().setBody(result);
            exchange.getMessage().setHeader(FlowHeaders.NEXT_STATE, "done");
        }
    }

    @BeforeEach
    void writeHome() {
        testHome = TestHome.create(home, List.of("error-handling.camel.yaml", "record-dead-letters.camel.yaml",
                "setup-channels.camel.yaml"), Map.of("handle-jobs.camel.yaml", TEST_ROUTES));
    }

    @Test
    void should_set_up_channels_idempotently_and_report_refusals(TestCouch couch) {
        String db = couch.createDatabase();
        PlainHttp http = new PlainHttp(couch, db);
        String fresh = db + "_chan_fresh";
        String existing = db + "_chan_existing";
        couch.client().putDatabase(new com.ibm.cloud.cloudant.v1.model.PutDatabaseOptions.Builder(existing).build())
                .execute();
        // a description left by an earlier run (or written by hand) stays as it is: the handler is safe to run twice
        new PlainHttp(couch, existing).put("description", "{\"name\":\"kept\"}");
        http.put("fresh", "{\"type\":\"channel\",\"state\":\"new\",\"name\":\"Holiday photos\",\"database\":\""
                + fresh + "\"}");
        http.put("existing", "{\"type\":\"channel\",\"state\":\"new\",\"database\":\"" + existing + "\"}");
        http.put("refused", "{\"type\":\"channel\",\"state\":\"new\",\"database\":\"Not A Valid Name!\"}");
        try (RunningApp app = start(couch, db, new SideEffect())) {
            await().atMost(WAIT).until(() -> !http.doc("fresh").path("state").asText().equals("new")
                    && !http.doc("existing").path("state").asText().equals("new")
                    && !http.doc("refused").path("state").asText().equals("new"));
            JsonNode description = new PlainHttp(couch, fresh).doc("description");
            assertThat(description.path("name").asText()).isEqualTo("Holiday photos");
            assertThat(description.path("channel").asText()).isEqualTo("fresh");
            assertThat(new PlainHttp(couch, existing).doc("description").path("name").asText()).isEqualTo("kept");
        } finally {
            for (String name : List.of(fresh, existing)) {
                try {
                    couch.client().deleteDatabase(new com.ibm.cloud.cloudant.v1.model.DeleteDatabaseOptions.Builder(name)
                            .build()).execute();
                } catch (RuntimeException ignored) {
                    // not created
                }
            }
        }
        assertThat(http.doc("fresh").path("state").asText()).isEqualTo("ready");
        assertThat(http.doc("fresh").path("database").asText()).isEqualTo(fresh);
        assertThat(http.doc("existing").path("state").asText()).isEqualTo("ready");
        JsonNode refused = http.doc("refused");
        assertThat(refused.path("state").asText()).isEqualTo("error");
        assertThat(refused.path("error").asText()).startsWith("cannot create database 'Not A Valid Name!': invalid name");
    }

    @Test
    void should_merge_the_result_onto_a_revision_changed_meanwhile(TestCouch couch) throws Exception {
        String db = couch.createDatabase();
        PlainHttp http = new PlainHttp(couch, db);
        http.put("j1", "{\"type\":\"job\",\"state\":\"new\",\"input\":1}");
        SideEffect handler = new SideEffect();
        handler.gate = new CountDownLatch(1);
        try (RunningApp app = start(couch, db, handler)) {
            assertThat(handler.entered.await(60, TimeUnit.SECONDS)).isTrue();
            ObjectNode doc = (ObjectNode) http.doc("j1");
            doc.put("note", "edited while the handler ran");
            assertThat(http.put("j1", doc.toString()).path("ok").asBoolean()).isTrue();
            handler.gate.countDown();
            await().atMost(WAIT).until(() -> http.doc("j1").path("state").asText().equals("done"));
        }
        JsonNode j1 = http.doc("j1");
        assertThat(j1.path("note").asText()).isEqualTo("edited while the handler ran");
        assertThat(j1.path("result").asText()).isEqualTo("handled j1");
        assertThat(j1.has("handler_lease")).isFalse();
        assertThat(handler.performed).containsExactly("j1");
    }

    @Test
    void should_drop_the_result_when_the_document_moved_on(TestCouch couch) throws Exception {
        String db = couch.createDatabase();
        PlainHttp http = new PlainHttp(couch, db);
        http.put("j2", "{\"type\":\"job\",\"state\":\"new\"}");
        SideEffect handler = new SideEffect();
        handler.gate = new CountDownLatch(1);
        try (RunningApp app = start(couch, db, handler)) {
            assertThat(handler.entered.await(60, TimeUnit.SECONDS)).isTrue();
            ObjectNode doc = (ObjectNode) http.doc("j2");
            doc.put("state", "cancelled");
            assertThat(http.put("j2", doc.toString()).path("ok").asBoolean()).isTrue();
            handler.gate.countDown();
            await().atMost(WAIT).until(() -> handler.performed.contains("j2"));
        }
        JsonNode j2 = http.doc("j2");
        assertThat(j2.path("state").asText()).isEqualTo("cancelled");
        assertThat(j2.has("result")).isFalse();
    }

    @Test
    void should_dead_letter_a_failing_handler_and_requeue_it(TestCouch couch) {
        String db = couch.createDatabase();
        PlainHttp http = new PlainHttp(couch, db);
        http.put("j3", "{\"type\":\"job\",\"state\":\"new\"}");
        SideEffect handler = new SideEffect();
        handler.failuresLeft.set(2); // the first delivery and its one redelivery
        try (RunningApp app = start(couch, db, handler)) {
            await().atMost(WAIT).until(() -> http.doc("j3").path("state").asText().equals("dead_letter"));
            DeadLetters deadLetters = app.bean("deadLetters", DeadLetters.class);
            List<JsonNode> letters = deadLetters.list();
            assertThat(letters).hasSize(1);
            JsonNode letter = letters.get(0);
            assertThat(letter.path("doc_id").asText()).isEqualTo("j3");
            assertThat(letter.path("state").asText()).isEqualTo("new");
            assertThat(letter.path("route").asText()).isEqualTo("handleJobs");
            assertThat(letter.path("cause").asText()).contains("handler failed on j3");
            assertThat(letter.path("attempts").asInt()).isEqualTo(2);
            assertThat(letter.path("doc_rev").asText()).isNotEmpty();
            assertThat(letter.path("time").asLong()).isPositive();
            assertThat(http.doc("j3").path("dead_letter").path("id").asText()).isEqualTo(letter.path("_id").asText());

            assertThat(deadLetters.requeue(letter.path("_id").asText())).isTrue();
            await().atMost(WAIT).until(() -> http.doc("j3").path("state").asText().equals("done"));
            assertThat(deadLetters.list()).isEmpty();
        }
        assertThat(handler.performed).containsExactly("j3");
    }

    @Test
    void should_run_a_run_once_handler_once_with_two_app_instances_on_one_database(TestCouch couch) {
        String db = couch.createDatabase();
        PlainHttp http = new PlainHttp(couch, db);
        for (int i = 0; i < 20; i++) {
            http.put("many" + i, "{\"type\":\"job\",\"state\":\"new\"}");
        }
        SideEffect first = new SideEffect();
        SideEffect second = new SideEffect();
        try (RunningApp a = start(couch, db, first); RunningApp b = start(couch, db, second)) {
            await().atMost(WAIT).until(() -> first.performed.size() + second.performed.size() >= 20);
        }
        List<String> all = new java.util.ArrayList<>(first.performed);
        all.addAll(second.performed);
        assertThat(all).hasSize(20).doesNotHaveDuplicates();
        for (int i = 0; i < 20; i++) {
            assertThat(http.doc("many" + i).path("state").asText()).isEqualTo("done");
        }
    }

    @Test
    void should_handle_changes_made_while_down_after_a_restart_mid_stream_and_none_twice(TestCouch couch) {
        String db = couch.createDatabase();
        PlainHttp http = new PlainHttp(couch, db);
        for (int i = 0; i < 30; i++) {
            http.put("early" + i, "{\"type\":\"job\",\"state\":\"new\"}");
        }
        SideEffect first = new SideEffect();
        try (RunningApp app = start(couch, db, first)) {
            await().atMost(WAIT).until(() -> first.performed.size() >= 5);
        } // stopped mid-stream
        for (int i = 0; i < 10; i++) {
            http.put("while_down" + i, "{\"type\":\"job\",\"state\":\"new\"}");
        }
        SideEffect second = new SideEffect();
        try (RunningApp app = start(couch, db, second)) {
            await().atMost(WAIT).until(() -> first.performed.size() + second.performed.size() >= 40);
        }
        List<String> all = new java.util.ArrayList<>(first.performed);
        all.addAll(second.performed);
        assertThat(all).hasSize(40).doesNotHaveDuplicates();
        assertThat(second.performed).contains("while_down0", "while_down9");
    }

    @Test
    void should_recognise_its_own_claim_and_save_when_their_answers_were_lost(TestCouch couch) {
        String db = couch.createDatabase();
        PlainHttp http = new PlainHttp(couch, db);
        http.put("lost1", "{\"type\":\"job\",\"state\":\"new\"}");
        http.put("lost2", "{\"type\":\"job\",\"state\":\"new\"}");
        SideEffect handler = new SideEffect();
        try (FaultInjectingProxy proxy = FaultInjectingProxy.start(couch.url())) {
            proxy.failNext("PUT /" + db + "/lost1", FaultInjectingProxy.Fault.DROP); // lost1's claim
            proxy.failAfter("PUT /" + db + "/lost2", 1, FaultInjectingProxy.Fault.DROP); // lost2's save
            Map<String, String> settings = couch.properties(db);
            settings.put("couchwork.couchdb.url", proxy.url());
            try (RunningApp app = start(settings, handler)) {
                await().atMost(WAIT).until(() -> http.doc("lost1").path("state").asText().equals("done")
                        && http.doc("lost2").path("state").asText().equals("done"));
            }
            assertThat(proxy.injected(FaultInjectingProxy.Fault.DROP)).isEqualTo(2);
        }
        assertThat(handler.performed).containsExactlyInAnyOrder("lost1", "lost2");
        assertThat(http.doc("lost1").path("result").asText()).isEqualTo("handled lost1");
        assertThat(http.doc("lost1").has("handler_lease")).isFalse();
    }

    @Test
    void should_retry_a_step_the_server_failed_until_it_answers_and_not_dead_letter_it(TestCouch couch)
            throws Exception {
        String db = couch.createDatabase();
        PlainHttp http = new PlainHttp(couch, db);
        http.put("outage", "{\"type\":\"job\",\"state\":\"new\"}");
        SideEffect handler = new SideEffect();
        handler.gate = new CountDownLatch(1);
        try (FaultInjectingProxy proxy = FaultInjectingProxy.start(couch.url())) {
            try (RunningApp app = startThrough(proxy, couch, db, handler)) {
                assertThat(handler.entered.await(60, TimeUnit.SECONDS)).isTrue();
                // the server fails every request from the side effect on: saving the result, and any dead letter
                proxy.inject(new FaultInjectingProxy.Faults(0, 1.0, 0, 0, 0, 1));
                proxy.reset();
                handler.gate.countDown();
                // well past the one redelivery a failing handler gets here (see start)
                await().atMost(WAIT).until(() -> proxy.count("/" + db + "/outage") >= 4);
                proxy.inject(FaultInjectingProxy.Faults.NONE);
                await().atMost(WAIT).until(() -> http.doc("outage").path("state").asText().equals("done"));
                assertThat(app.bean("deadLetters", DeadLetters.class).list()).isEmpty();
            }
        }
        assertThat(http.doc("outage").path("result").asText()).isEqualTo("handled outage");
        assertThat(handler.performed).containsExactly("outage"); // the save was retried, not the side effect
    }

    @Test
    void should_write_a_dead_letter_the_server_refused_once_it_answers(TestCouch couch) throws Exception {
        String db = couch.createDatabase();
        PlainHttp http = new PlainHttp(couch, db);
        http.put("failing", "{\"type\":\"job\",\"state\":\"new\"}");
        SideEffect handler = new SideEffect();
        handler.failuresLeft.set(100); // the handler's own failure: dead-lettered after its one redelivery
        try (FaultInjectingProxy proxy = FaultInjectingProxy.start(couch.url())) {
            Runnable serverBack = proxy.failEvery("PUT /" + db + "/" + DeadLetters.ID_PREFIX, null,
                    FaultInjectingProxy.Fault.ERROR_BEFORE);
            try (RunningApp app = startThrough(proxy, couch, db, handler)) {
                await().atMost(WAIT).until(() -> proxy.count("PUT /" + db + "/" + DeadLetters.ID_PREFIX) >= 2);
                serverBack.run();
                await().atMost(WAIT).until(() -> http.doc("failing").path("state").asText()
                        .equals(DeadLetters.STATE));
                List<JsonNode> letters = app.bean("deadLetters", DeadLetters.class).list();
                assertThat(letters).hasSize(1);
                assertThat(letters.get(0).path("cause").asText()).contains("handler failed on failing");
            }
        }
    }

    @Test
    void should_dead_letter_a_transition_the_flow_does_not_allow_and_change_nothing_else(TestCouch couch)
            throws Exception {
        declareJobs("new: [approved]\n  approved: [done]");
        String db = couch.createDatabase();
        PlainHttp http = new PlainHttp(couch, db);
        http.put("refused", "{\"type\":\"job\",\"state\":\"new\",\"input\":1}");
        SideEffect handler = new SideEffect(); // asks for new → done
        try (RunningApp app = start(couch, db, handler)) {
            await().atMost(WAIT).until(() -> http.doc("refused").path("state").asText().equals("dead_letter"));
            List<JsonNode> letters = app.bean("deadLetters", DeadLetters.class).list();
            assertThat(letters).hasSize(1);
            assertThat(letters.get(0).path("cause").asText()).contains("flow jobs does not allow new → done");
            assertThat(letters.get(0).path("attempts").asInt()).isEqualTo(1); // not retried: retrying cannot mend it
            assertThat(letters.get(0).path("route").asText()).isEqualTo("handleJobs");
        }
        JsonNode refused = http.doc("refused");
        assertThat(refused.path("dead_letter").path("previous_state").asText()).isEqualTo("new");
        assertThat(refused.path("input").asInt()).isEqualTo(1);
        assertThat(refused.has("result")).isFalse();
        assertThat(refused.has("handler_lease")).isFalse();
        List<String> fields = new java.util.ArrayList<>();
        refused.fieldNames().forEachRemaining(fields::add);
        assertThat(fields).containsExactlyInAnyOrder("_id", "_rev", "type", "state", "input", "dead_letter");
    }

    @Test
    void should_advance_as_before_when_the_flow_allows_the_transition(TestCouch couch) {
        declareJobs("new: [done]");
        String db = couch.createDatabase();
        PlainHttp http = new PlainHttp(couch, db);
        http.put("allowed", "{\"type\":\"job\",\"state\":\"new\"}");
        SideEffect handler = new SideEffect();
        try (RunningApp app = start(couch, db, handler)) {
            await().atMost(WAIT).until(() -> http.doc("allowed").path("state").asText().equals("done"));
            assertThat(app.bean("deadLetters", DeadLetters.class).list()).isEmpty();
        }
        assertThat(http.doc("allowed").path("result").asText()).isEqualTo("handled allowed");
        assertThat(handler.performed).containsExactly("allowed");
    }

    @Test
    void should_fail_at_start_naming_a_bad_states_file(TestCouch couch) {
        Path file = declareJobs("new: [dnoe]");
        String db = couch.createDatabase();
        Throwable[] failure = new Throwable[1];
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> start(couch, db, new SideEffect()).close())
                .satisfies(e -> failure[0] = e);
        io.couchwork.CouchworkException found = io.couchwork.CouchworkException.findIn(failure[0]);
        assertThat(found).isNotNull();
        assertThat(found.exitCode()).isEqualTo(io.couchwork.ExitCode.CONFIGURATION);
        assertThat(found.getMessage()).isEqualTo("Invalid flow states file " + file
                + " line 6: unknown state 'dnoe' (states: new, approved, done)");
    }

    /** Declares the test's job flow in the test home's config/flows/jobs.yaml with these transitions. */
    private Path declareJobs(String transitions) {
        try {
            return java.nio.file.Files.writeString(home.resolve("config/flows/jobs.yaml"), """
                    flow: jobs
                    types: [job]
                    states: [new, approved, done]
                    initial: new
                    transitions:
                      %s
                    """.formatted(transitions));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The app talking to the server through {@code proxy}, each fault it injects reaching the route at once. */
    private RunningApp startThrough(FaultInjectingProxy proxy, TestCouch couch, String db, SideEffect handler) {
        Map<String, String> settings = couch.properties(db);
        settings.put("couchwork.couchdb.url", proxy.url());
        settings.put("couchwork.couchdb.max-retries", "0"); // no retries in the client: the route sees each fault
        return start(settings, handler);
    }

    private RunningApp start(TestCouch couch, String db, SideEffect handler) {
        return start(couch.properties(db), handler);
    }

    private RunningApp start(Map<String, String> settings, SideEffect handler) {
        settings.put("couchwork.report.interval", "1h");
        settings.put("couchwork.pool.enabled", "false");
        settings.put("couchwork.flows.channels.enabled", "true");
        settings.put("couchwork.flows.maximum-redeliveries", "1");
        settings.put("couchwork.flows.redelivery-delay", "100");
        return RunningApp.start(testHome, testHome.configFile(), settings, null, Map.of("sideEffect", handler));
    }
}
