package io.couchwork.flow;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.couchwork.camel.ChangesHeaders;
import io.couchwork.couchdb.Json;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.TimeUnit;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.BeanInject;
import org.apache.camel.EndpointInject;
import org.apache.camel.Produce;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.AdviceWithRouteBuilder;
import org.apache.camel.builder.NotifyBuilder;
import org.apache.camel.component.mock.MockEndpoint;
import org.apache.camel.test.main.junit5.AdviceRouteMapping;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.junit.jupiter.api.Test;

/**
 * routes/setup-channels.camel.yaml alone, without a server (camel-test-main-junit5): the channel's database creation is
 * replaced by a step that decides the outcome, and the couchdb: write and the advance are mock endpoints.
 */
@CamelMainTest(
        propertyPlaceholderLocations = "file:config/application.properties",
        properties = {
                "couchwork.home=.",
                "camel.main.routes-include-pattern=file:routes/setup-channels.camel.yaml,"
                        + "classpath:routes-under-test/test-errors.camel.yaml",
                "couchwork.flows.channels.enabled=true",
                "couchwork.derived.couchdb-server=http://couchdb.test:5984",
                "couchwork.derived.couchdb-credentials.password="},
        configurationClasses = SetUpChannelsRouteTest.Beans.class,
        replaceRouteFromWith = "setUpChannels=direct:channel",
        mockEndpointsAndSkip = "couchdb:.*|bean:.*stateHandlers.*",
        advices = @AdviceRouteMapping(route = "setUpChannels", advice = SetUpChannelsRouteTest.DecidedOutcome.class))
class SetUpChannelsRouteTest {

    @BeanInject
    CamelContext context;

    @Produce
    ProducerTemplate template;

    @EndpointInject("mock:couchdb:http://couchdb.test:5984/chan_photos")
    MockEndpoint description;

    @EndpointInject("mock:bean:stateHandlers")
    MockEndpoint advance;

    @Test
    void should_write_the_description_into_the_new_database_and_advance_with_the_setup_result() throws Exception {
        description.expectedMessageCount(1);
        advance.expectedMessageCount(1);
        NotifyBuilder done = new NotifyBuilder(context).fromRoute("setUpChannels").whenDone(1).create();

        send("{\"_id\":\"photos\",\"type\":\"channel\",\"state\":\"new\",\"name\":\"Holiday photos\","
                + "\"database\":\"chan_photos\"}");

        assertThat(done.matches(10, TimeUnit.SECONDS)).isTrue();
        description.assertIsSatisfied();
        advance.assertIsSatisfied();
        JsonNode written = Json.MAPPER.readTree(description.getReceivedExchanges().get(0).getMessage()
                .getBody(String.class));
        assertThat(written.toString()).isEqualTo("{\"_id\":\"description\",\"name\":\"Holiday photos\","
                + "\"channel\":\"photos\"}");
        // what advance gets is what the setup step left, not the description the couchdb: step sent
        org.apache.camel.Message toAdvance = advance.getReceivedExchanges().get(0).getMessage();
        assertThat(toAdvance.getHeader(FlowHeaders.NEXT_STATE)).isEqualTo("ready");
        assertThat(toAdvance.getBody(String.class)).isEqualTo("{\"database\":\"chan_photos\",\"ready_at\":1700000000}");
    }

    @Test
    void should_write_no_description_for_a_refused_channel() throws Exception {
        description.expectedMessageCount(0);
        advance.expectedMessageCount(1);
        NotifyBuilder done = new NotifyBuilder(context).fromRoute("setUpChannels").whenDone(1).create();

        send("{\"_id\":\"bad\",\"type\":\"channel\",\"state\":\"new\",\"database\":\"Not Valid!\"}");

        assertThat(done.matches(10, TimeUnit.SECONDS)).isTrue();
        description.assertIsSatisfied();
        advance.assertIsSatisfied();
        assertThat(advance.getReceivedExchanges().get(0).getMessage().getHeader(FlowHeaders.NEXT_STATE))
                .isEqualTo("error");
    }

    private void send(String json) throws Exception {
        ObjectNode doc = (ObjectNode) Json.MAPPER.readTree(json);
        template.send("direct:channel", exchange -> {
            exchange.setProperty(ChangesHeaders.DOC_PROPERTY, doc);
            exchange.getMessage().setHeader(ChangesHeaders.DOC_ID, doc.path("_id").asText());
            exchange.getMessage().setBody(json);
        });
    }

    /** Creating the database is the server's part: here a valid name is ready and any other refused. */
    public static class DecidedOutcome extends AdviceWithRouteBuilder {
        @Override
        public void configure() {
            weaveByToUri("bean:channelSetup?method=createDatabase").replace().process(exchange -> {
                String name = StateHandlers.document(exchange).path("database").asText();
                boolean valid = io.couchwork.couchdb.CouchDbSettings.isValidDatabaseName(name);
                exchange.getMessage().setHeader(FlowHeaders.NEXT_STATE, valid ? "ready" : "error");
                exchange.getMessage().setBody(valid ? "{\"database\":\"" + name + "\",\"ready_at\":1700000000}"
                        : "{\"error\":\"invalid name\"}");
            });
        }
    }

    /** The route's beans that do not talk to a server. */
    public static class Beans implements CamelConfiguration {
        @Override
        public void configure(CamelContext context) {
            Clock clock = Clock.fixed(Instant.ofEpochSecond(1_700_000_000), ZoneOffset.UTC);
            context.getRegistry().bind("documentSchemas", new DocumentSchemas(Path.of("config/schemas")));
            context.getRegistry().bind("channelSetup", new ChannelSetup(null, clock, FlowDefinitions.load(Path.of("config/flows"))));
            context.getRegistry().bind("stateHandlers", new Object()); // mocked and skipped
        }
    }
}
