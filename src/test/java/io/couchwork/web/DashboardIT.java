package io.couchwork.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.couchwork.testing.CouchDbServerExtension;
import io.couchwork.testing.HttpApp;
import io.couchwork.testing.KnownPool;
import io.couchwork.testing.PlainHttp;
import io.couchwork.testing.RunningApp;
import io.couchwork.testing.TestCouch;
import io.couchwork.token.DesignDocuments;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * The dashboard in a real headless browser (Debian's chromium and chromium-driver): the numbers it renders are the
 * database's, as PiCaS's views count them, and they follow when tokens change.
 */
@ExtendWith(CouchDbServerExtension.class)
class DashboardIT {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final List<String> STATES = List.of("todo", "locked", "done", "error");

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
    void should_render_the_databases_numbers_and_follow_changes(TestCouch couch) throws IOException {
        String db = couch.createDatabase();
        KnownPool pool = KnownPool.write(couch, db);
        new DesignDocuments(couch.database(db)).installFor(List.of("token"));
        PlainHttp http = pool.http();
        http.put("device_a", "{\"type\":\"device\",\"state\":\"new\"}");
        http.put("device_b", "{\"type\":\"device\",\"state\":\"new\"}");
        http.put("device_c", "{\"type\":\"device\",\"state\":\"confirming\"}");
        HttpApp app = HttpApp.onFreePort();
        try (RunningApp running = RunningApp.start(MonitoringIT.settings(couch, db, app, false))) {
            browser.get(app.url("/"));
            await().atMost(WAIT).ignoreExceptionsInstanceOf(StaleElementReferenceException.class)
                    .untilAsserted(() -> assertThat(rendered("token")).isEqualTo(counted(http)));
            // the page re-renders every 2 s: a read that meets a replaced element is read again
            await().atMost(WAIT).ignoreExceptionsInstanceOf(StaleElementReferenceException.class)
                    .untilAsserted(this::assertSecondaryPanels);
            String href = await().atMost(WAIT).ignoreExceptionsInstanceOf(StaleElementReferenceException.class)
                    .until(() -> browser.findElement(By.cssSelector("#recent-errors tr[data-token=failed_1] a"))
                            .getAttribute("href"), h -> h != null);
            assertThat(app.get(Path.of("/", href.replaceFirst("^https?://[^/]+/", "")).toString())
                    .body()).isEqualTo("boom\n");
            screenshot("dashboard.png");

            // tokens change under the open page: two new ones, and one todo token finished by a PiCaS pilot
            http.put("todo_new_1", "{\"type\":\"token\",\"lock\":0,\"done\":0}");
            http.put("todo_new_2", "{\"type\":\"token\",\"lock\":0,\"done\":0}");
            com.fasterxml.jackson.databind.node.ObjectNode finished = (com.fasterxml.jackson.databind.node.ObjectNode)
                    http.doc("todo_0");
            finished.put("lock", pool.now()).put("done", pool.now() + 1).put("exit_code", 0);
            http.put("todo_0", finished.toString());
            assertThat(http.overview("Monitor", "todo")).isEqualTo(KnownPool.TODO + 1);

            await().atMost(WAIT).ignoreExceptionsInstanceOf(StaleElementReferenceException.class)
                    .untilAsserted(() -> assertThat(rendered("token")).isEqualTo(counted(http)));
            await().atMost(WAIT).ignoreExceptionsInstanceOf(StaleElementReferenceException.class)
                    .untilAsserted(() -> assertThat(rendered("token").get("done")).isEqualTo(KnownPool.DONE + 1));
            screenshot("dashboard-updated.png");
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
        for (WebElement bar : browser.findElements(By.cssSelector("#throughput rect"))) {
            bars += Integer.parseInt(bar.getAttribute("data-done"));
        }
        assertThat(bars).isEqualTo(KnownPool.DONE);
        assertThat(browser.findElement(By.cssSelector("#recent-errors tr[data-token=failed_1] a")).getText())
                .isEqualTo("stderr.log");
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

    private void screenshot(String name) throws IOException {
        Path target = Files.createDirectories(Path.of("target", "screenshots")).resolve(name);
        Files.write(target, ((ChromeDriver) browser).getScreenshotAs(OutputType.BYTES));
    }
}
