package io.couchwork.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.couchwork.status.MessageNormalizer;
import io.couchwork.testing.CouchDbServerExtension;
import io.couchwork.testing.HttpApp;
import io.couchwork.testing.KnownPool;
import io.couchwork.testing.PlainHttp;
import io.couchwork.testing.RunningApp;
import io.couchwork.testing.TestCouch;
import io.couchwork.token.ClaimingSwitch;
import io.couchwork.token.DesignDocuments;
import io.couchwork.token.WorkerPresence;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.awaitility.core.ThrowingRunnable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.NoSuchElementException;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * The dashboard in a real headless browser (Debian's chromium and chromium-driver): every view shows what the database
 * holds (counts as PiCaS's views count them, a token's fields, runs and logs, error groups, flows and dead letters),
 * follows when it changes, and its actions change the documents they say they change. Each view leaves a screenshot
 * in target/dashboard-screenshots/ for review.
 */
@ExtendWith(CouchDbServerExtension.class)
class DashboardIT {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final List<String> STATES = List.of("todo", "locked", "done", "error");
    private static final Path SCREENSHOTS = Path.of("target", "dashboard-screenshots");

    @TempDir
    Path profile;

    private WebDriver browser;

    @BeforeEach
    void startBrowser() {
        ChromeOptions options = new ChromeOptions().setBinary("/usr/bin/chromium").addArguments("--headless",
                "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--user-data-dir=" + profile, "--window-size=1280,1400");
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(Path.of("/usr/bin/chromedriver").toFile()).usingAnyFreePort().build();
        browser = new ChromeDriver(service, options);
    }

    @AfterEach
    void stopBrowser() {
        if (browser != null) {
            browser.quit();
        }
    }

    @Test
    void should_paint_the_databases_numbers_at_once_and_follow_changes(TestCouch couch) throws IOException {
        String db = couch.createDatabase();
        KnownPool pool = KnownPool.write(couch, db);
        new DesignDocuments(couch.database(db)).installFor(List.of("token"));
        PlainHttp http = pool.http();
        http.put("device_a", "{\"type\":\"device\",\"state\":\"new\"}");
        http.put("device_b", "{\"type\":\"device\",\"state\":\"new\"}");
        http.put("device_c", "{\"type\":\"device\",\"state\":\"confirming\"}");
        HttpApp app = HttpApp.onFreePort();
        try (RunningApp running = RunningApp.start(MonitoringIT.settings(couch, db, app, false))) {
            // the page comes with the status in it: its first paint has the numbers, before any poll
            assertThat(app.get("/").body()).contains("<script id=\"initial-status\" type=\"application/json\">{\"database\":\""
                    + db + "\"");
            browser.get(app.url("/"));
            assertThat(rendered("token")).isEqualTo(counted(http));
            assertThat(browser.findElement(By.id("updated")).getText()).isNotEqualTo("never");

            awaitAsserted(this::assertSecondaryPanels);
            String href = await().atMost(WAIT).ignoreExceptionsInstanceOf(StaleElementReferenceException.class)
                    .until(() -> browser.findElement(By.cssSelector("#recent-errors tr[data-token=failed_1] "
                            + "a[href*=attachments]")).getAttribute("href"), h -> h != null);
            assertThat(app.get(Path.of("/", href.replaceFirst("^https?://[^/]+/", "")).toString())
                    .body()).isEqualTo("boom\n");
            // health's view of the routes: the token pool is off in this app, and says so
            awaitAsserted(() -> {
                assertThat(text("#routes tr[data-route=processTokens] [data-field=state]")).isEqualTo("disabled");
                assertThat(text("#routes tr[data-route=serveDashboard] [data-field=state]")).isEqualTo("started");
            });
            screenshot("overview.png");

            // tokens change under the open page: two new ones, and one todo token finished by a PiCaS pilot
            http.put("todo_new_1", "{\"type\":\"token\",\"lock\":0,\"done\":0}");
            http.put("todo_new_2", "{\"type\":\"token\",\"lock\":0,\"done\":0}");
            ObjectNode finished = (ObjectNode) http.doc("todo_0");
            finished.put("lock", pool.now()).put("done", pool.now() + 1).put("exit_code", 0);
            http.put("todo_0", finished.toString());
            http.awaitOverview("Monitor", "todo", KnownPool.TODO + 1);

            awaitAsserted(() -> assertThat(rendered("token")).isEqualTo(counted(http)));
            awaitAsserted(() -> assertThat(rendered("token").get("done")).isEqualTo(KnownPool.DONE + 1));
            screenshot("overview-updated.png");
        }
    }

    @Test
    void should_open_a_token_from_its_id_with_all_fields_runs_and_logs(TestCouch couch) throws IOException {
        String db = couch.createDatabase();
        KnownPool pool = KnownPool.write(couch, db);
        PlainHttp http = pool.http();
        long now = pool.now();
        http.put("ran_twice", "{\"type\":\"token\",\"lock\":" + (now - 20) + ",\"done\":" + (now - 5)
                + ",\"exit_code\":3,\"input\":{\"file\":\"a.dat\",\"cores\":2},\"scrub_count\":0,\"hostname\":\"host-c\""
                + ",\"worker_id\":\"worker-c\",\"attempts\":2,\"runs\":["
                + "{\"claim_id\":\"c1\",\"worker_id\":\"worker-c\",\"hostname\":\"host-c\",\"started\":" + (now - 60)
                + ",\"ended\":" + (now - 50) + ",\"outcome\":\"retry\",\"exit_code\":3},"
                + "{\"claim_id\":\"c2\",\"worker_id\":\"worker-c\",\"hostname\":\"host-c\",\"started\":" + (now - 20)
                + ",\"ended\":" + (now - 5) + ",\"outcome\":\"error\",\"exit_code\":3}],"
                + "\"error\":[{\"time\":" + (now - 50) + ",\"message\":\"exit code 3: no input\",\"exception\":\"Exit\"},"
                + "{\"time\":" + (now - 5) + ",\"message\":\"exit code 3: no input\",\"exception\":\"Exit\"}],"
                + "\"stdout_tail\":\"reading a.dat\\n\",\"_attachments\":{"
                + "\"stdout.log\":{\"content_type\":\"text/plain\",\"data\":\"cmVhZGluZyBhLmRhdAo=\"},"
                + "\"stderr.log\":{\"content_type\":\"text/plain\",\"data\":\"bm8gaW5wdXQK\"}}}");
        HttpApp app = HttpApp.onFreePort();
        try (RunningApp running = RunningApp.start(MonitoringIT.settings(couch, db, app, false))) {
            browser.get(app.url("/"));
            // the token id in the recent errors leads to its view
            await().atMost(WAIT).ignoreExceptionsInstanceOf(StaleElementReferenceException.class).until(() -> {
                browser.findElement(By.cssSelector("#recent-errors a[data-token-link=ran_twice]")).click();
                return true;
            });
            awaitAsserted(() -> assertThat(browser.findElement(By.tagName("body")).getAttribute("data-token-loaded"))
                    .isEqualTo("ran_twice"));
            assertThat(text("#token-state")).isEqualTo("error");

            JsonNode doc = http.doc("ran_twice");
            List<String> shown = new ArrayList<>();
            browser.findElements(By.cssSelector("#token-fields tr")).forEach(row -> shown.add(row.getAttribute("data-field")));
            List<String> fields = new ArrayList<>();
            doc.fieldNames().forEachRemaining(fields::add);
            fields.removeAll(List.of("runs", "error", "_attachments", "stdout_tail"));
            assertThat(shown).containsExactlyInAnyOrderElementsOf(fields);
            for (String field : fields) {
                JsonNode value = doc.get(field);
                String cell = text("#token-fields tr[data-field='" + field + "'] .value");
                if (value.isTextual()) {
                    assertThat(cell).as(field).isEqualTo(value.asText());
                } else if (value.isNumber()) {
                    assertThat(cell).as(field).startsWith(value.asText());
                } else {
                    assertThat(new ObjectMapper().readTree(cell)).as(field).isEqualTo(value);
                }
            }
            List<WebElement> runs = browser.findElements(By.cssSelector("#token-runs tbody tr"));
            assertThat(runs).hasSize(doc.path("runs").size());
            for (int i = 0; i < runs.size(); i++) {
                assertThat(runs.get(i).findElement(By.cssSelector("[data-field=outcome]")).getText())
                        .isEqualTo(doc.path("runs").get(i).path("outcome").asText());
                assertThat(runs.get(i).getText()).contains(doc.path("runs").get(i).path("worker_id").asText());
            }
            assertThat(browser.findElements(By.cssSelector("#token-errors tbody tr"))).hasSize(doc.path("error").size());
            awaitAsserted(() -> {
                assertThat(text(".log[data-log='stdout.log'] pre")).isEqualTo("reading a.dat");
                assertThat(text(".log[data-log='stderr.log'] pre")).isEqualTo("no input");
            });
            assertThat(text(".log[data-log=stdout_tail] pre")).isEqualTo(doc.path("stdout_tail").asText().strip());
            String download = browser.findElement(By.cssSelector(".log[data-log='stderr.log'] a[download]"))
                    .getAttribute("href");
            assertThat(app.get(download.replaceFirst("^https?://[^/]+", "")).body())
                    .isEqualTo(new String(http.attachment("ran_twice", "stderr.log"), StandardCharsets.UTF_8));
            screenshot("token.png");

            // every token id shown links to the token view: the oldest lock's too
            browser.get(app.url("/"));
            await().atMost(WAIT).ignoreExceptionsInstanceOf(StaleElementReferenceException.class).until(() -> {
                browser.findElement(By.cssSelector("#sets [data-field=oldest-lock] a[data-token-link]")).click();
                return true;
            });
            awaitAsserted(() -> assertThat(browser.findElement(By.tagName("body")).getAttribute("data-token-loaded"))
                    .isEqualTo("locked_old"));
            assertThat(text("#token-state")).isEqualTo("locked");
            assertThat(text("#token-runs tbody")).contains("No runs recorded");
        }
    }

    @Test
    void should_group_errors_by_normalized_message_and_reset_a_sets_errors_after_confirmation(TestCouch couch)
            throws IOException {
        String db = couch.createDatabase();
        KnownPool pool = KnownPool.write(couch, db);
        new DesignDocuments(couch.database(db)).installFor(List.of("token"));
        PlainHttp http = pool.http();
        long now = pool.now();
        for (String run : List.of("17", "4", "230")) {
            http.put("missing_" + run, "{\"type\":\"token\",\"lock\":" + (now - 30) + ",\"done\":" + (now - 10)
                    + ",\"exit_code\":2,\"error\":[{\"time\":" + (now - 10) + ",\"message\":\"cannot open /scratch/run-"
                    + run + "/input.dat after " + run + " tries\"}]}");
        }
        HttpApp app = HttpApp.onFreePort();
        try (RunningApp running = RunningApp.start(MonitoringIT.settings(couch, db, app, false))) {
            browser.get(app.url("/"));
            Map<String, Long> groups = errorGroupsInDatabase(http);
            assertThat(groups).hasSize(2);
            awaitAsserted(() -> assertThat(renderedGroups()).isEqualTo(groups));
            screenshot("overview-errors.png");

            String group = "cannot open /scratch/*/input.dat after # tries";
            browser.findElement(By.cssSelector("#error-groups a[data-group-link='" + group + "']")).click();
            awaitAsserted(() -> assertThat(browser.findElement(By.tagName("body")).getAttribute("data-group-loaded"))
                    .isEqualTo(group));
            List<String> tokens = new ArrayList<>();
            browser.findElements(By.cssSelector("#group-tokens tbody tr")).forEach(row -> tokens.add(row.getAttribute(
                    "data-token")));
            assertThat(tokens).containsExactlyInAnyOrder("missing_17", "missing_4", "missing_230");
            screenshot("error-group.png");

            // reset the set's error tokens: cancelled first (nothing changes), then confirmed
            browser.get(app.url("/"));
            long errors = http.overview("Monitor", "error");
            long todo = http.overview("Monitor", "todo");
            clickAction("#sets tr[data-set=token] button[data-action=reset-errors]");
            assertThat(text("#confirm-text")).contains("Reset the " + errors + " error tokens of set ‘token’");
            screenshot("confirm-reset.png");
            browser.findElement(By.id("confirm-cancel")).click();
            assertThat(http.overview("Monitor", "error")).isEqualTo(errors);

            clickAction("#sets tr[data-set=token] button[data-action=reset-errors]");
            browser.findElement(By.id("confirm-ok")).click();
            await().atMost(WAIT).until(() -> http.overview("Monitor", "error") == 0);
            http.awaitOverview("Monitor", "todo", todo + errors);
            JsonNode reset = http.doc("missing_17");
            assertThat(reset.path("lock").asLong()).isZero();
            assertThat(reset.path("scrub_count").asLong()).isEqualTo(1);
            awaitAsserted(() -> {
                assertThat(browser.findElement(By.id("notice")).getAttribute("data-outcome")).isEqualTo("ok");
                assertThat(text("#notice")).startsWith("Reset " + errors + " error tokens of set 'token' to todo");
                assertThat(rendered("token")).isEqualTo(counted(http));
                assertThat(browser.findElements(By.cssSelector("#error-groups tbody tr[data-group]"))).isEmpty();
            });
            screenshot("overview-after-reset.png");
        }
    }

    @Test
    void should_count_flow_documents_per_state_and_requeue_a_dead_letter(TestCouch couch) throws IOException {
        String db = couch.createDatabase();
        KnownPool pool = KnownPool.write(couch, db);
        PlainHttp http = pool.http();
        http.put("device_a", "{\"type\":\"device\",\"state\":\"new\"}");
        http.put("device_b", "{\"type\":\"device\",\"state\":\"confirming\"}");
        String letter = "dead_letter_" + Instant.now().toEpochMilli() + "_parked";
        http.put(letter, "{\"type\":\"dead_letter\",\"doc_id\":\"device_p\",\"doc_type\":\"device\",\"state\":\"resend\","
                + "\"route\":\"sendDeviceConfirmations\",\"cause\":\"MailConnectException: Couldn't connect to host\","
                + "\"attempts\":4,\"time\":" + pool.now() + "}");
        http.put("device_p", "{\"type\":\"device\",\"state\":\"dead_letter\",\"dead_letter\":{\"id\":\"" + letter
                + "\",\"previous_state\":\"resend\"}}");
        HttpApp app = HttpApp.onFreePort();
        try (RunningApp running = RunningApp.start(MonitoringIT.settings(couch, db, app, false))) {
            browser.get(app.url("/#/flows"));
            Map<String, Long> inDatabase = flowCounts(http, "device");
            assertThat(inDatabase).containsEntry("new", 1L).containsEntry("dead_letter", 1L);
            awaitAsserted(() -> assertThat(renderedFlow("devices")).isEqualTo(withDeclaredStates(inDatabase)));
            browser.findElement(By.cssSelector("table[data-flow=devices] td[data-state=confirming] a")).click();
            awaitAsserted(() -> assertThat(browser.findElements(By.cssSelector("#flow-documents li")))
                    .extracting(li -> li.getAttribute("data-document")).containsExactly("device_b"));

            List<WebElement> letters = browser.findElements(By.cssSelector("#dead-letters tbody tr[data-letter]"));
            assertThat(letters).extracting(row -> row.getAttribute("data-letter"))
                    .containsExactlyInAnyOrder(letter, "dead_letter_" + (pool.now() * 1000) + "_abc");
            assertThat(text("#dead-letters tr[data-letter='" + letter + "'] [data-field=cause]"))
                    .isEqualTo("MailConnectException: Couldn't connect to host");
            assertThat(text("#letters-count")).isEqualTo("2");
            screenshot("flows.png");

            clickAction("#dead-letters tr[data-letter='" + letter + "'] button[data-action=requeue]");
            assertThat(text("#confirm-text")).contains("device_p", "resend");
            browser.findElement(By.id("confirm-ok")).click();
            await().atMost(WAIT).until(() -> "resend".equals(http.doc("device_p").path("state").asText()));
            assertThat(http.doc("device_p").has("dead_letter")).isFalse();
            assertThat(http.doc(letter).has("requeued")).isTrue();
            awaitAsserted(() -> {
                assertThat(text("#letters-count")).isEqualTo("1");
                assertThat(renderedFlow("devices")).isEqualTo(withDeclaredStates(flowCounts(http, "device")));
            });
            screenshot("flows-after-requeue.png");
        }
    }

    @Test
    void should_pause_claiming_of_a_running_worker_and_resume_it(TestCouch couch) throws IOException {
        String db = couch.createDatabase();
        PlainHttp http = new PlainHttp(couch, db);
        HttpApp app = HttpApp.onFreePort();
        Map<String, String> settings = MonitoringIT.settings(couch, db, app, true);
        settings.put("couchwork.exec.command", "echo {input}");
        try (RunningApp running = RunningApp.start(settings)) {
            browser.get(app.url("/"));
            clickAction("#claiming-toggle");
            assertThat(text("#confirm-text")).startsWith("Pause claiming on " + db);
            browser.findElement(By.id("confirm-ok")).click();
            // the worker says, in its presence document, that it follows the switch
            await().atMost(WAIT).until(() -> presence(http).path(ClaimingSwitch.PAUSED).asBoolean(false));
            JsonNode control = http.doc(ClaimingSwitch.ID);
            assertThat(control.path("type").asText()).isEqualTo(ClaimingSwitch.TYPE);
            assertThat(control.path(ClaimingSwitch.PAUSED_BY).asText()).startsWith("the dashboard on ");

            for (int i = 0; i < 3; i++) {
                http.put("held_back_" + i, "{\"type\":\"token\",\"lock\":0,\"done\":0,\"input\":\"" + i + "\"}");
            }
            awaitAsserted(() -> {
                assertThat(browser.findElement(By.id("claiming")).getAttribute("data-paused")).isEqualTo("true");
                assertThat(text("#claiming-state")).startsWith("Claiming paused by the dashboard on ");
                assertThat(text("#workers tbody tr [data-field=claiming]")).isEqualTo("paused");
                assertThat(text("#sets tr[data-set=token] td[data-state=todo]")).isEqualTo("3");
            });
            screenshot("overview-claiming-paused.png");
            // the control document is no token: PiCaS's views count the three tokens only
            assertThat(http.overviewTotal("Monitor")).isEqualTo(3);
            // paused: the worker, which claims a new token within milliseconds otherwise, leaves them all in todo
            await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5))
                    .until(() -> http.overview("Monitor", "todo") == 3);

            clickAction("#claiming-toggle");
            assertThat(text("#confirm-text")).startsWith("Resume claiming on " + db);
            browser.findElement(By.id("confirm-ok")).click();
            await().atMost(WAIT).until(() -> http.overview("Monitor", "done") == 3);
            assertThat(http.doc(ClaimingSwitch.ID).path(ClaimingSwitch.PAUSED).asBoolean()).isFalse();
            awaitAsserted(() -> assertThat(browser.findElement(By.id("claiming")).getAttribute("data-paused"))
                    .isEqualTo("false"));
        }
    }

    /** Workers, recent errors, dead letters, workflow documents and the chart, as rendered. */
    private void assertSecondaryPanels() {
        assertThat(rendered("token").get("todo")).isEqualTo(KnownPool.TODO);
        Map<String, String> inFlight = new TreeMap<>();
        for (WebElement row : browser.findElements(By.cssSelector("#workers tbody tr"))) {
            inFlight.put(row.getAttribute("data-worker"),
                    row.findElement(By.cssSelector("[data-field=in-flight]")).getText());
        }
        assertThat(inFlight).containsExactly(Map.entry("worker-a", "1"), Map.entry("worker-b", "1"));
        assertThat(browser.findElements(By.cssSelector("#recent-errors tbody tr"))).hasSize(KnownPool.ERROR);
        assertThat(browser.findElement(By.id("dead-letter-count")).getText()).isEqualTo("1");
        WebElement devices = browser.findElement(By.cssSelector("#flows tr[data-flow=devices]"));
        assertThat(devices.findElement(By.cssSelector("[data-field=total]")).getText()).isEqualTo("3");
        assertThat(devices.findElement(By.cssSelector("[data-state=new]")).getText()).isEqualTo("new 2");
        assertThat(devices.findElement(By.cssSelector("[data-state=confirming]")).getAttribute("data-value"))
                .isEqualTo("1");
        assertThat(browser.findElements(By.cssSelector("#flows tr[data-flow=pipeline]"))).isEmpty();
        int bars = 0;
        int busiest = 0;
        for (WebElement bar : browser.findElements(By.cssSelector("#throughput rect"))) {
            bars += Integer.parseInt(bar.getAttribute("data-done"));
            busiest = Math.max(busiest, Integer.parseInt(bar.getAttribute("data-done")));
        }
        assertThat(bars).isEqualTo(KnownPool.DONE);
        // the chart's scale: ticks from 0 up to at least the busiest minute
        List<Integer> ticks = new ArrayList<>();
        browser.findElements(By.cssSelector("#throughput text[data-tick]"))
                .forEach(tick -> ticks.add(Integer.parseInt(tick.getAttribute("data-tick"))));
        assertThat(ticks).startsWith(0).isSorted().hasSizeGreaterThanOrEqualTo(2);
        assertThat(ticks.get(ticks.size() - 1)).isGreaterThanOrEqualTo(busiest);
        assertThat(browser.findElement(By.cssSelector("#recent-errors tr[data-token=failed_1] a[href*=attachments]"))
                .getText()).isEqualTo("stderr.log");
    }

    /** The counts the page shows for one set, read from the DOM. */
    private Map<String, Long> rendered(String set) {
        Map<String, Long> counts = new TreeMap<>();
        for (String state : STATES) {
            List<WebElement> cells = browser.findElements(By.cssSelector("#sets tr[data-set='" + set + "'] td[data-state='"
                    + state + "']"));
            counts.put(state, cells.isEmpty() ? -1 : Long.parseLong(cells.get(0).getText()));
        }
        return counts;
    }

    /** The same counts from PiCaS's overview view, straight from the database. */
    private static Map<String, Long> counted(PlainHttp http) {
        Map<String, Long> counts = new TreeMap<>();
        for (String state : STATES) {
            counts.put(state, http.overview("Monitor", state));
        }
        return counts;
    }

    /** Error groups as the page shows them: normalized message to count. */
    private Map<String, Long> renderedGroups() {
        Map<String, Long> groups = new TreeMap<>();
        for (WebElement row : browser.findElements(By.cssSelector("#error-groups tbody tr[data-group]"))) {
            groups.put(row.getAttribute("data-group"),
                    Long.parseLong(row.findElement(By.cssSelector("[data-field=count]")).getText()));
        }
        return groups;
    }

    /** The error-state tokens in the database, counted per normalized last message. */
    private static Map<String, Long> errorGroupsInDatabase(PlainHttp http) {
        Map<String, Long> groups = new TreeMap<>();
        for (JsonNode row : http.get("/_design/Monitor/_view/error?include_docs=true").path("rows")) {
            JsonNode errors = row.path("doc").path("error");
            String message = errors.get(errors.size() - 1).path("message").asText();
            groups.merge(MessageNormalizer.normalize(message), 1L, Long::sum);
        }
        return groups;
    }

    /** A flow table's counts per state, as rendered. */
    private Map<String, Long> renderedFlow(String flow) {
        Map<String, Long> counts = new TreeMap<>();
        for (WebElement cell : browser.findElements(By.cssSelector("table[data-flow='" + flow + "'] td[data-state]"))) {
            counts.put(cell.getAttribute("data-state"), Long.parseLong(cell.getText()));
        }
        return counts;
    }

    /** Documents of a type per state, from the database (every document read). */
    private static Map<String, Long> flowCounts(PlainHttp http, String type) {
        Map<String, Long> counts = new TreeMap<>();
        for (JsonNode row : http.get("/_all_docs?include_docs=true").path("rows")) {
            JsonNode doc = row.path("doc");
            if (type.equals(doc.path("type").asText()) && doc.path("state").isTextual()) {
                counts.merge(doc.path("state").asText(), 1L, Long::sum);
            }
        }
        return counts;
    }

    /** The devices flow's declared states (config/flows/devices.yaml) at 0, then the counts. */
    private static Map<String, Long> withDeclaredStates(Map<String, Long> counts) {
        Map<String, Long> all = new TreeMap<>();
        for (String state : List.of("new", "resend", "confirming", "confirmed", "active", "expired")) {
            all.put(state, 0L);
        }
        all.putAll(counts);
        return all;
    }

    /** The only worker's presence document. */
    private static JsonNode presence(PlainHttp http) {
        String prefix = URLEncoder.encode("\"" + WorkerPresence.ID_PREFIX, StandardCharsets.UTF_8);
        Iterator<JsonNode> rows = http.get("/_all_docs?include_docs=true&startkey=" + prefix + "%22&endkey="
                + URLEncoder.encode("\"" + WorkerPresence.ID_PREFIX + "\ufff0\"", StandardCharsets.UTF_8))
                .path("rows").elements();
        return rows.hasNext() ? rows.next().path("doc") : MissingNode.getInstance();
    }

    /** Clicks an action's button once the page shows it, which opens the confirmation. */
    private void clickAction(String selector) {
        await().atMost(WAIT).ignoreExceptionsInstanceOf(StaleElementReferenceException.class).until(() -> {
            WebElement button = browser.findElement(By.cssSelector(selector));
            if (!button.isDisplayed()) {
                return false;
            }
            button.click();
            return true;
        });
        await().atMost(WAIT).until(() -> browser.findElement(By.id("confirm")).isDisplayed());
    }

    private String text(String selector) {
        return browser.findElement(By.cssSelector(selector)).getText();
    }

    /** The page re-renders every 2 s: a read that meets a replaced element is read again. */
    private static void awaitAsserted(ThrowingRunnable assertion) {
        await().atMost(WAIT).ignoreExceptionsMatching(e -> e instanceof StaleElementReferenceException
                || e instanceof NoSuchElementException).untilAsserted(assertion);
    }

    private void screenshot(String name) throws IOException {
        Path target = Files.createDirectories(SCREENSHOTS).resolve(name);
        Files.write(target, ((ChromeDriver) browser).getScreenshotAs(OutputType.BYTES));
    }
}
