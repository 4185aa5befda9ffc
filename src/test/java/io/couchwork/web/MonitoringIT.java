package io.couchwork.web;

import static io.couchwork.testing.HttpApp.metric;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.couchwork.CouchworkException;
import io.couchwork.ExitCode;
import io.couchwork.devserver.BundledCouchServer;
import io.couchwork.flow.FlowDefinitions;
import io.couchwork.status.PoolStatusReader;
import io.couchwork.status.StatusJson;
import io.couchwork.testing.CouchDbServerExtension;
import io.couchwork.testing.HttpApp;
import io.couchwork.testing.KnownPool;
import io.couchwork.testing.PlainHttp;
import io.couchwork.testing.RunningApp;
import io.couchwork.testing.TestCouch;
import io.couchwork.token.ClaimingSwitch;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The app's HTTP side against the test server: status API, attachment proxy, health, metrics and access control. */
@ExtendWith(CouchDbServerExtension.class)
class MonitoringIT {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void should_serve_the_status_as_the_status_command_prints_it_and_proxy_log_attachments(TestCouch couch)
            throws Exception {
        String db = couch.createDatabase();
        KnownPool.write(couch, db);
        HttpApp http = HttpApp.onFreePort();
        try (RunningApp app = RunningApp.start(settings(couch, db, http, false))) {
            HttpResponse<String> response = http.get("/api/status");
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
            String command = StatusJson.write(new PoolStatusReader(couch.database(db), Clock.systemUTC(),
                    app.bean("flowDefinitions", FlowDefinitions.class)).read());
            assertThat(withoutTimes(JSON.readTree(response.body()))).isEqualTo(withoutTimes(JSON.readTree(command)));
            assertThat(JSON.readTree(http.get("/api/status?set=other").body()).path("sets").findValuesAsText("type"))
                    .containsExactly("other");

            HttpResponse<String> log = http.get("/api/tokens/failed_0/attachments/stderr.log");
            assertThat(log.statusCode()).isEqualTo(200);
            assertThat(log.body()).isEqualTo("boom\n");
            assertThat(log.headers().firstValue("Content-Type")).hasValue("text/plain; charset=utf-8");
            assertThat(http.get("/api/tokens/failed_0/attachments/nope.log").statusCode()).isEqualTo(404);
            assertThat(http.get("/api/tokens/_design%2Fcouchwork/attachments/x").statusCode()).isEqualTo(404);
            assertThat(http.get("/").body()).contains("<title>Couchwork</title>");
            assertThat(http.get("/dashboard/dashboard.js").statusCode()).isEqualTo(200);
            assertThat(http.get("/config/application.properties").statusCode()).isEqualTo(404);
        }
    }

    @Test
    void should_count_claims_executions_reaped_leases_and_tokens_in_the_metrics(TestCouch couch) {
        String db = couch.createDatabase();
        PlainHttp plain = new PlainHttp(couch, db);
        for (int i = 0; i < 5; i++) {
            plain.put("ok_" + i, "{\"type\":\"token\",\"lock\":0,\"done\":0,\"input\":\"" + i + "\"}");
        }
        plain.put("failing", "{\"type\":\"token\",\"lock\":0,\"done\":0,\"input\":\"fail\"}");
        long past = Instant.now().getEpochSecond() - 100;
        plain.put("abandoned", "{\"type\":\"token\",\"lock\":" + past + ",\"done\":0,\"input\":\"a\",\"lease_until\":"
                + (past + 10) + ",\"worker_id\":\"gone\",\"hostname\":\"dead-node\"}");
        HttpApp http = HttpApp.onFreePort();
        Map<String, String> settings = settings(couch, db, http, true);
        settings.put("couchwork.exec.command", "if [ {input} = fail ]; then echo boom >&2; exit 3; fi; echo {input}");
        settings.put("couchwork.flows.channels.enabled", "true"); // a changes: consumer, for its lag
        try (RunningApp app = RunningApp.start(settings)) {
            await().atMost(WAIT).until(() -> plain.overview("Monitor", "done") == 6 && plain.overview("Monitor", "error") == 1);
            await().atMost(WAIT).untilAsserted(() -> {
                String scrape = http.get("/observe/metrics").body();
                assertThat(metric(scrape, "couchwork_tokens{set=\"token\",state=\"done\"}")).isEqualTo(6);
                assertThat(metric(scrape, "couchwork_tokens{set=\"token\",state=\"error\"}")).isEqualTo(1);
                assertThat(metric(scrape, "couchwork_tokens{set=\"token\",state=\"todo\"}")).isZero();
                assertThat(metric(scrape, "couchwork_changes_pending{consumer=\"setUpChannels\"}")).isZero();
            });
            String scrape = http.get("/observe/metrics").body();
            String tags = "outcome=\"%s\",pool=\"pool\",set=\"token\"";
            assertThat(metric(scrape, "couchwork_executions_total{" + tags.formatted("done") + "}")).isEqualTo(6);
            assertThat(metric(scrape, "couchwork_executions_total{" + tags.formatted("retry") + "}")).isEqualTo(1);
            assertThat(metric(scrape, "couchwork_executions_total{" + tags.formatted("error") + "}")).isEqualTo(1);
            assertThat(metric(scrape, "couchwork_execution_duration_seconds_count{pool=\"pool\",set=\"token\"}"))
                    .isEqualTo(8);
            assertThat(metric(scrape, "couchwork_claims_total{pool=\"pool\"}")).isEqualTo(8);
            assertThat(metric(scrape, "couchwork_claim_conflicts_total{pool=\"pool\"}")).isZero();
            assertThat(metric(scrape, "couchwork_leases_reclaimed_total{pool=\"pool\"}")).isEqualTo(1);
            assertThat(metric(scrape, "couchwork_dead_letters")).isZero();
        }
    }

    @Test
    void should_be_ready_while_couchdb_answers_and_alive_but_not_ready_when_it_is_gone() throws Exception {
        BundledCouchServer server = CouchDbServerExtension.startBundledServer(BundledCouchServer.Options.inMemory());
        try {
            TestCouch couch = TestCouch.forUrl(server.url());
            String db = couch.createDatabase();
            HttpApp http = HttpApp.onFreePort();
            try (RunningApp app = RunningApp.start(settings(couch, db, http, false))) {
                HttpResponse<String> ready = http.get("/observe/health/ready?exposureLevel=full");
                assertThat(ready.statusCode()).isEqualTo(200);
                assertThat(check(ready.body(), "couchdb")).isEqualTo("UP");

                server.close();

                await().atMost(WAIT).until(() -> http.get("/observe/health/ready").statusCode() == 503);
                HttpResponse<String> down = http.get("/observe/health/ready?exposureLevel=full");
                assertThat(check(down.body(), "couchdb")).isEqualTo("DOWN");
                assertThat(JSON.readTree(down.body()).path("status").asText()).isEqualTo("DOWN");
                HttpResponse<String> live = http.get("/observe/health/live");
                assertThat(live.statusCode()).isEqualTo(200);
                assertThat(JSON.readTree(live.body()).path("status").asText()).isEqualTo("UP");
            }
        } finally {
            server.close();
        }
    }

    @Test
    void should_report_routes_disabled_by_their_settings_as_disabled_and_stay_ready(TestCouch couch) throws Exception {
        String db = couch.createDatabase();
        HttpApp http = HttpApp.onFreePort();
        try (RunningApp app = RunningApp.start(settings(couch, db, http, false))) {
            HttpResponse<String> health = http.get("/observe/health?exposureLevel=full");
            assertThat(health.statusCode()).isEqualTo(200);
            JsonNode pool = checkNode(health.body(), "route:processTokens");
            assertThat(pool.path("status").asText()).isEqualTo("UNKNOWN");
            assertThat(pool.path("message").asText())
                    .isEqualTo("Route processTokens is disabled by couchwork.pool.enabled = false");
            assertThat(check(health.body(), "consumer:processTokens")).isEqualTo("absent");
            assertThat(check(health.body(), "route:setUpChannels")).isEqualTo("UNKNOWN");
            assertThat(check(health.body(), "route:serveDashboard")).isEqualTo("UP");
            assertThat(check(health.body(), "consumer:serveDashboard")).isEqualTo("UP");
            assertThat(JSON.readTree(health.body()).path("status").asText()).isEqualTo("UP");

            HttpResponse<String> ready = http.get("/observe/health/ready?exposureLevel=full");
            assertThat(ready.statusCode()).isEqualTo(200);
            assertThat(check(ready.body(), "route:processTokens")).isEqualTo("absent");
            assertThat(check(ready.body(), "route:serveDashboard")).isEqualTo("UP");
        }
    }

    @Test
    void should_act_only_on_posts_sent_by_the_dashboards_page(TestCouch couch) throws Exception {
        String db = couch.createDatabase();
        PlainHttp plain = new PlainHttp(couch, db);
        HttpApp http = HttpApp.onFreePort();
        try (RunningApp app = RunningApp.start(settings(couch, db, http, false))) {
            String path = "/api/actions/pause-claiming";
            String origin = http.url("").replaceFirst("/$", "");
            // a form or script on another site: no dashboard header, or another origin
            assertThat(http.post(path, "{}").statusCode()).isEqualTo(403);
            assertThat(http.post(path, "{}", ActionGuard.HEADER, ActionGuard.VALUE, "Origin", "https://evil.example")
                    .statusCode()).isEqualTo(403);
            assertThat(http.post(path, "{}", ActionGuard.HEADER, ActionGuard.VALUE, "Sec-Fetch-Site", "cross-site")
                    .statusCode()).isEqualTo(403);
            assertThat(http.get(path).statusCode()).isEqualTo(405);
            assertThat(plain.get("/" + ClaimingSwitch.ID).has("_id")).isFalse();
            assertThat(http.post(path, "[1]", ActionGuard.HEADER, ActionGuard.VALUE).statusCode()).isEqualTo(400);

            HttpResponse<String> paused = http.post(path, "{}", ActionGuard.HEADER, ActionGuard.VALUE, "Origin", origin);
            assertThat(paused.statusCode()).as(paused.body()).isEqualTo(200);
            assertThat(JSON.readTree(paused.body()).path("changed").asBoolean()).isTrue();
            assertThat(plain.doc(ClaimingSwitch.ID).path("claiming_paused").asBoolean()).isTrue();
            assertThat(JSON.readTree(http.get("/api/status").body()).path("claiming").path("paused").asBoolean())
                    .isTrue();
            HttpResponse<String> again = http.post(path, "{}", ActionGuard.HEADER, ActionGuard.VALUE);
            assertThat(JSON.readTree(again.body()).path("message").asText()).isEqualTo("Claiming was paused already");

            HttpResponse<String> badSet = http.post("/api/actions/reset-error-tokens", "{}", ActionGuard.HEADER,
                    ActionGuard.VALUE);
            assertThat(badSet.statusCode()).isEqualTo(400);
            assertThat(JSON.readTree(badSet.body()).path("ok").asBoolean()).isFalse();
        }
    }

    @Test
    void should_refuse_to_start_on_a_public_address_without_credentials(TestCouch couch) {
        String db = couch.createDatabase();
        Map<String, String> settings = settings(couch, db, HttpApp.onFreePort(), false);
        settings.put("couchwork.http.host", "0.0.0.0");
        assertThatThrownBy(() -> RunningApp.start(settings).close())
                .satisfies(e -> assertThat(CouchworkException.findIn(e)).isNotNull()
                        .satisfies(found -> {
                            assertThat(found.exitCode()).isEqualTo(ExitCode.CONFIGURATION);
                            assertThat(found.getMessage()).startsWith("Refusing to serve the dashboard on 0.0.0.0 "
                                    + "without credentials");
                        }));
    }

    @Test
    void should_require_the_credentials_on_every_path_when_exposed(TestCouch couch) {
        String db = couch.createDatabase();
        HttpApp http = HttpApp.onFreePort();
        Map<String, String> settings = settings(couch, db, http, false);
        settings.put("couchwork.http.host", "0.0.0.0");
        settings.put("couchwork.http.user", "ops");
        settings.put("couchwork.http.password", "s3cret pass");
        try (RunningApp app = RunningApp.start(settings)) {
            for (String path : new String[] {"/", "/api/status", "/observe/health", "/observe/metrics",
                "/dashboard/dashboard.js"}) {
                assertThat(http.get(path).statusCode()).as(path).isEqualTo(401);
                assertThat(http.get(path, "ops", "wrong").statusCode()).as(path).isEqualTo(401);
                assertThat(http.get(path, "ops", "s3cret pass").statusCode()).as(path).isEqualTo(200);
            }
        }
    }

    static Map<String, String> settings(TestCouch couch, String db, HttpApp http, boolean pool) {
        Map<String, String> settings = io.couchwork.testing.TestPools.workerSettings(couch, db, null);
        settings.remove("couchwork.report.interval");
        settings.putAll(http.settings());
        settings.put("couchwork.pool.enabled", Boolean.toString(pool));
        settings.put("couchwork.pool.max-attempts", "2");
        return settings;
    }

    private static String check(String health, String name) throws Exception {
        return checkNode(health, name).path("status").asText("absent");
    }

    private static JsonNode checkNode(String health, String name) throws Exception {
        for (JsonNode check : JSON.readTree(health).path("checks")) {
            if (name.equals(check.path("name").asText())) {
                return check;
            }
        }
        return JSON.createObjectNode();
    }

    /** The status without what moves between two reads a moment apart. */
    private static JsonNode withoutTimes(JsonNode status) {
        ObjectNode copy = status.deepCopy();
        copy.remove("generated");
        copy.path("sets").forEach(set -> {
            ((ObjectNode) set).remove("throughput");
            ((ObjectNode) set).remove("drain_seconds");
            if (set.path("oldest_lock").isObject()) {
                ((ObjectNode) set.path("oldest_lock")).remove("age_seconds");
            }
        });
        return copy;
    }
}
