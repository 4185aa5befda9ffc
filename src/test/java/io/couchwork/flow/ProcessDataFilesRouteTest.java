package io.couchwork.flow;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.couchwork.camel.ChangesHeaders;
import io.couchwork.couchdb.Json;
import io.couchwork.token.WorkerIdentity;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.EndpointInject;
import org.apache.camel.Exchange;
import org.apache.camel.Produce;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.component.mock.MockEndpoint;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.junit.jupiter.api.Test;

/**
 * routes/process-datafiles.camel.yaml's first stage alone, without a server (camel-test-main-junit5): the stage's
 * shell command really runs; claim and advance are mock endpoints.
 */
@CamelMainTest(
        propertyPlaceholderLocations = "file:config/application.properties",
        properties = {
                "couchwork.home=.",
                "camel.main.routes-include-pattern=file:routes/process-datafiles.camel.yaml,"
                        + "classpath:routes-under-test/test-errors.camel.yaml",
                "couchwork.flows.pipeline.enabled=true"},
        configurationClasses = ProcessDataFilesRouteTest.Beans.class,
        replaceRouteFromWith = {"moveDataFiles=direct:move", "analyseDataFiles=direct:analyse"},
        mockEndpointsAndSkip = "bean:.*stateHandlers.*")
class ProcessDataFilesRouteTest {

    @Produce
    ProducerTemplate template;

    @EndpointInject("mock:bean:stateHandlers")
    MockEndpoint stateHandlers;

    @Test
    void should_run_the_stage_command_and_append_it_to_the_process_history() throws Exception {
        stateHandlers.expectedMessageCount(2); // claim, then advance

        String json = "{\"_id\":\"f1\",\"type\":\"datafile\",\"state\":\"new\",\"status\":\"good\",\"run\":\"ma22a001\","
                + "\"original_file\":\"/mnt/data/f1.root\",\"process\":[{\"name\":\"acquired\"}]}";
        Exchange done = template.send("direct:move", exchange -> {
            ObjectNode doc = (ObjectNode) Json.MAPPER.readTree(json);
            exchange.setProperty(ChangesHeaders.DOC_PROPERTY, doc);
            exchange.getMessage().setHeader(ChangesHeaders.DOC_ID, "f1");
            exchange.getMessage().setBody(json);
        });

        assertThat(done.getException()).isNull();
        stateHandlers.assertIsSatisfied();
        Exchange advance = stateHandlers.getReceivedExchanges().get(1);
        assertThat(advance.getMessage().getHeader(FlowHeaders.NEXT_STATE)).isEqualTo("move_to_sps");
        JsonNode process = Json.MAPPER.valueToTree(advance.getMessage().getBody()).path("process");
        assertThat(process).hasSize(2);
        assertThat(process.get(0).path("name").asText()).isEqualTo("acquired"); // the history is kept
        assertThat(process.get(1).path("name").asText()).isEqualTo("move_to_sps");
        assertThat(process.get(1).path("result").asText()).isEqualTo("moved /mnt/data/f1.root");
        assertThat(process.get(1).path("exit_code").asInt()).isZero();
        assertThat(process.get(1).path("hostname").asText()).isEqualTo("node7");
        assertThat(process.get(1).path("time").asLong()).isEqualTo(1_700_000_000L);
    }

    /** The route's beans that do not talk to a server. */
    public static class Beans implements CamelConfiguration {
        @Override
        public void configure(CamelContext context) {
            Clock clock = Clock.fixed(Instant.ofEpochSecond(1_700_000_000), ZoneOffset.UTC);
            context.getRegistry().bind("documentSchemas", new DocumentSchemas(Path.of("config/schemas")));
            context.getRegistry().bind("pipeline", new Pipeline(null, clock, new WorkerIdentity("node7",
                    "node7-1-test", Map.of()), FlowDefinitions.load(Path.of("config/flows"))));
            context.getRegistry().bind("stateHandlers", new Object()); // mocked and skipped
        }
    }
}
