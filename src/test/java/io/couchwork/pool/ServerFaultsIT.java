package io.couchwork.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.couchwork.testing.CouchDbServerExtension;
import io.couchwork.testing.FaultInjectingProxy;
import io.couchwork.testing.FaultInjectingProxy.Fault;
import io.couchwork.testing.FaultInjectingProxy.Faults;
import io.couchwork.testing.PlainHttp;
import io.couchwork.testing.RunningApp;
import io.couchwork.testing.TestCouch;
import io.couchwork.token.DesignDocuments;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A server that fails (500, 429, dropped connections) is the server's problem, not the job's: leases are renewed while
 * outcome writes fail, a job whose lease cannot be renewed stops before the lease ends, and a worker starts all the
 * same; none of it costs a token an attempt or an error entry.
 */
@ExtendWith(CouchDbServerExtension.class)
class ServerFaultsIT {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path temp;

    private static Map<String, String> settings(TestCouch couch, String db, FaultInjectingProxy proxy, String command) {
        Map<String, String> settings = TokenPoolIT.settings(couch, db, command);
        settings.put("couchwork.couchdb.url", proxy.url());
        // each failure reaches Couchwork at once instead of after the SDK's own retries (1 + 2 + 4 + 8 s)
        settings.put("couchwork.couchdb.max-retries", "0");
        return settings;
    }

    @Test
    void should_keep_renewing_leases_while_an_outcome_write_keeps_failing(TestCouch couch) throws Exception {
        String db = couch.createDatabase();
        new DesignDocuments(couch.database(db)).installFor(List.of("token"));
        PlainHttp http = new PlainHttp(couch, db);
        Path ran = temp.resolve("ran.txt");
        List<long[]> leases = new ArrayList<>(); // [when, lease_until] while the long job runs
        try (FaultInjectingProxy proxy = FaultInjectingProxy.start(couch.url())) {
            Map<String, String> settings = settings(couch, db, proxy,
                    "if [ {input} = long ]; then sleep 8; fi; echo {_id} >> '" + ran + "'");
            settings.put("couchwork.pool.lease-duration", "3s"); // renewed every second
            // every write of a finished token's outcome fails, for 6 s: the quick token's first, the long one's not
            Runnable heal = proxy.failEvery("/_bulk_docs", "\"outcome\":\"done\"", Fault.ERROR_BEFORE);
            try (RunningApp app = RunningApp.start(settings)) {
                http.put("quick", TokenPoolIT.picasToken("quick"));
                http.put("long", TokenPoolIT.picasToken("long"));
                await().atMost(WAIT).until(() -> Files.exists(ran) && Files.readAllLines(ran).contains("quick"));
                long healAt = System.currentTimeMillis() + 6000;
                await().atMost(WAIT).pollInterval(Duration.ofMillis(100)).until(() -> {
                    if (System.currentTimeMillis() > healAt) {
                        heal.run();
                    }
                    JsonNode token = http.doc("long");
                    if (token.path("lock").asLong() > 0 && token.path("done").asLong() == 0) {
                        leases.add(new long[] {System.currentTimeMillis(), token.path("lease_until").asLong()});
                    }
                    return token.path("done").asLong() > 0 && http.doc("quick").path("done").asLong() > 0;
                });
            }
            assertThat(proxy.injected(Fault.ERROR_BEFORE)).as("outcome writes failed").isPositive();
        }
        assertThat(leases).as("samples of the long job's lease").hasSizeGreaterThan(20);
        for (long[] sample : leases) {
            assertThat(sample[1] * 1000).as("lease still held at %d", sample[0]).isGreaterThan(sample[0]);
        }
        assertThat(Files.readAllLines(ran)).containsExactlyInAnyOrder("quick", "long");
        for (String id : List.of("quick", "long")) {
            JsonNode token = http.doc(id);
            assertThat(token.path("runs").findValuesAsText("outcome")).as(id).containsExactly("done");
            assertThat(token.path("attempts").asInt()).as(id).isZero();
            assertThat(token.path("error")).as(id).isEmpty();
        }
    }

    @Test
    void should_stop_a_job_before_its_lease_ends_when_the_lease_cannot_be_renewed(TestCouch couch) throws Exception {
        String db = couch.createDatabase();
        new DesignDocuments(couch.database(db)).installFor(List.of("token"));
        PlainHttp http = new PlainHttp(couch, db);
        Path started = temp.resolve("started");
        Path stopped = temp.resolve("stopped"); // written by the first run when it is told to stop
        try (FaultInjectingProxy proxy = FaultInjectingProxy.start(couch.url())) {
            // the trap uses shell builtins only: it is done long before a SIGKILL could follow the SIGTERM
            Map<String, String> settings = settings(couch, db, proxy, "if [ -e '" + started + "' ]; then echo again;"
                    + " else touch '" + started + "'; trap \"echo stopped > '" + stopped + "'; exit 143\" TERM;"
                    + " sleep 60 & wait; fi");
            settings.put("couchwork.pool.lease-duration", "10s"); // renewed every 3.3 s; a job is stopped 1 s early
            try (RunningApp app = RunningApp.start(settings)) {
                http.put("t1", TokenPoolIT.picasToken("a"));
                await().atMost(WAIT).until(() -> Files.exists(started));
                proxy.inject(new Faults(0, 1.0, 0, 0, 0, 1)); // the server answers 500 to everything from now on
                Thread.sleep(300); // requests on their way get through
                long leaseEnd = http.doc("t1").path("lease_until").asLong() * 1000;
                await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(20))
                        .until(() -> Files.exists(stopped) || System.currentTimeMillis() > leaseEnd + 3000);
                long seenStopped = System.currentTimeMillis(); // a little after the job was told to stop
                assertThat(stopped).as("job stopped").exists();
                assertThat(seenStopped).as("job stopped before its lease ended").isLessThan(leaseEnd);
                proxy.inject(Faults.NONE);
                await().atMost(WAIT).until(() -> http.doc("t1").path("done").asLong() > 0);
            }
        }
        JsonNode token = http.doc("t1");
        assertThat(token.path("stdout_tail").asText()).isEqualTo("again\n");
        assertThat(token.path("runs").findValuesAsText("outcome"))
                .containsExactly("released: the lease was lost during the job", "done");
        assertThat(token.path("attempts").asInt()).isZero();
        assertThat(token.path("error")).isEmpty();
    }

    @Test
    void should_start_when_installing_the_views_meets_a_dropped_connection(TestCouch couch) throws Exception {
        String db = couch.createDatabase();
        PlainHttp http = new PlainHttp(couch, db);
        http.put("t1", TokenPoolIT.picasToken("a"));
        try (FaultInjectingProxy proxy = FaultInjectingProxy.start(couch.url())) {
            proxy.failNext("/_all_docs", "_design/Monitor", Fault.DROP);
            try (RunningApp app = RunningApp.start(settings(couch, db, proxy, "echo {_id}"))) {
                await().atMost(WAIT).until(() -> http.doc("t1").path("done").asLong() > 0);
            }
            assertThat(proxy.injected(Fault.DROP)).isEqualTo(1);
        }
        assertThat(http.doc("t1").path("attempts").asInt()).isZero();
    }
}
