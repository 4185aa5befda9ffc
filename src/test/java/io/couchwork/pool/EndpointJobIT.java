package io.couchwork.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.couchwork.app.CouchworkHome;
import io.couchwork.testing.CouchDbServerExtension;
import io.couchwork.testing.PlainHttp;
import io.couchwork.testing.RunningApp;
import io.couchwork.testing.TestCouch;
import io.couchwork.testing.TestHome;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** A token job that is any Camel endpoint (here a direct: route) instead of a shell command: its reply is the output. */
@ExtendWith(CouchDbServerExtension.class)
class EndpointJobIT {

    private static final String ROUTE = """
            - route:
                id: processTokensWithEndpoint
                routeConfigurationId: tokenPoolErrors
                from:
                  uri: "tokens:endpoints"
                  parameters:
                    types: job
                    concurrency: 2
                    maxAttempts: 2
                    retryDelay: 1s
                    pollInterval: 1s
                  steps:
                    - to:
                        uri: direct
                        parameters:
                          name: describeToken
            - route:
                id: describeToken
                from:
                  uri: direct
                  parameters:
                    name: describeToken
                  steps:
                    - unmarshal:
                        json: {}
                    - choice:
                        when:
                          - simple: "${body[input]} == 'boom'"
                            steps:
                              - throwException:
                                  exceptionType: java.lang.IllegalStateException
                                  message: "cannot handle ${body[input]}"
                        otherwise:
                          steps:
                            - setBody:
                                simple: '{"id": "${header.CouchworkTokenId}", "upper": "${body[input].toUpperCase()}"}'
            """;

    @TempDir
    Path home;

    @Test
    void should_store_the_endpoint_reply_as_output_and_record_its_exceptions(TestCouch couch) {
        CouchworkHome testHome = TestHome.create(home, List.of("error-handling.camel.yaml"),
                Map.of("endpoint-job.camel.yaml", ROUTE));
        String db = couch.createDatabase();
        PlainHttp http = new PlainHttp(couch, db);
        http.put("ok", "{\"type\":\"job\",\"lock\":0,\"done\":0,\"input\":\"quiet\"}");
        http.put("bad", "{\"type\":\"job\",\"lock\":0,\"done\":0,\"input\":\"boom\"}");
        Map<String, String> settings = couch.properties(db);
        settings.put("couchwork.report.interval", "1h");
        try (RunningApp app = RunningApp.start(testHome, testHome.configFile(), settings)) {
            await().atMost(Duration.ofSeconds(60)).until(() -> http.doc("ok").path("done").asLong() > 0
                    && http.doc("bad").path("done").asLong() > 0);
        }
        JsonNode ok = http.doc("ok");
        assertThat(ok.path("exit_code").asInt(-9)).isZero();
        assertThat(ok.path("output").path("id").asText()).isEqualTo("ok");
        assertThat(ok.path("output").path("upper").asText()).isEqualTo("QUIET");
        JsonNode bad = http.doc("bad");
        assertThat(bad.path("exit_code").asInt()).isEqualTo(-1);
        assertThat(bad.path("attempts").asInt()).isEqualTo(2);
        assertThat(bad.path("error").get(0).path("exception").asText()).isEqualTo("java.lang.IllegalStateException");
        assertThat(bad.path("error").get(0).path("message").asText()).contains("cannot handle boom");
        assertThat(http.viewCount("job", "error")).isEqualTo(1);
    }
}
