package io.couchwork.flow;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.couchwork.camel.ChangesHeaders;
import io.couchwork.couchdb.Json;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.TimeUnit;
import org.apache.camel.BeanInject;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.EndpointInject;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Produce;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.NotifyBuilder;
import org.apache.camel.component.mock.MockEndpoint;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.junit.jupiter.api.Test;

/**
 * routes/register-devices.camel.yaml's sending route alone, without a server or mail server (camel-test-main-junit5):
 * the e-mail and the claim/advance steps are mock endpoints; the real DeviceRegistration makes the code and the mail.
 */
@CamelMainTest(
        propertyPlaceholderLocations = "file:config/application.properties",
        properties = {
                "couchwork.home=.",
                "camel.main.routes-include-pattern=file:routes/register-devices.camel.yaml,"
                        + "classpath:routes-under-test/test-errors.camel.yaml",
                "couchwork.flows.devices.enabled=true",
                "couchwork.flows.devices.expiry-sweep=1h"},
        configurationClasses = RegisterDevicesRouteTest.Beans.class,
        replaceRouteFromWith = {"sendDeviceConfirmations=direct:device", "checkDeviceConfirmations=direct:confirm",
                "activateDevices=direct:confirmed"},
        mockEndpointsAndSkip = "smtp:.*|bean:.*stateHandlers.*")
class RegisterDevicesRouteTest {

    @BeanInject
    CamelContext context;

    @Produce
    ProducerTemplate template;

    @EndpointInject("mock:bean:stateHandlers")
    MockEndpoint stateHandlers;

    @Test
    void should_mail_the_owner_a_code_without_couchwork_headers_and_save_only_its_hash() throws Exception {
        MockEndpoint mail = mail();
        mail.expectedMessageCount(1);
        stateHandlers.expectedMessageCount(2); // claim, then advance
        NotifyBuilder done = new NotifyBuilder(context).fromRoute("sendDeviceConfirmations").whenDone(1).create();

        Exchange sent = send("{\"_id\":\"d1\",\"type\":\"device\",\"state\":\"new\",\"owner\":\"ann@example.org\","
                + "\"name\":\"Ann's phone\"}");

        assertThat(done.matches(10, TimeUnit.SECONDS)).isTrue();
        assertThat(sent.getException()).isNull();
        mail.assertIsSatisfied();
        stateHandlers.assertIsSatisfied();
        Message email = mail.getReceivedExchanges().get(0).getMessage();
        assertThat(email.getHeader("To")).isEqualTo("ann@example.org");
        assertThat(email.getHeader("Subject", String.class)).isEqualTo("Confirm your device Ann's phone");
        assertThat(email.getHeaders().keySet()).noneMatch(name -> name.startsWith("Couchwork")); // no mail headers
        String code = email.getBody(String.class).replaceAll("(?s).* is (\\d{8})\\..*", "$1");
        assertThat(code).matches("\\d{8}");

        Exchange advance = stateHandlers.getReceivedExchanges().get(1);
        assertThat(advance.getMessage().getHeader(FlowHeaders.NEXT_STATE)).isEqualTo("confirming");
        ObjectNode saved = advance.getProperty(FlowHeaders.CHANGES_PROPERTY, ObjectNode.class);
        assertThat(saved.path("confirm_code_hash").asText()).isNotEmpty().doesNotContain(code);
        assertThat(saved.path("confirm_expires").asLong()).isEqualTo(1_700_000_000L + 3600);
    }

    @Test
    void should_send_nothing_for_a_device_whose_owner_is_not_an_address() throws Exception {
        MockEndpoint mail = mail();
        mail.expectedMessageCount(0);

        Exchange sent = send("{\"_id\":\"d2\",\"type\":\"device\",\"state\":\"new\",\"owner\":\"nobody\"}");

        assertThat(sent.getException()).isInstanceOf(InvalidDocumentException.class)
                .hasMessageContaining("document d2 (type device) does not match config/schemas/device.schema.json: $.owner");
        mail.assertIsSatisfied();
    }

    /** The mock standing for the smtp: endpoint, whatever host and port the settings give it. */
    private MockEndpoint mail() {
        return context.getEndpoints().stream().filter(e -> e instanceof MockEndpoint
                && e.getEndpointUri().startsWith("mock://smtp")).map(MockEndpoint.class::cast).findFirst().orElseThrow();
    }

    private Exchange send(String json) throws Exception {
        ObjectNode doc = (ObjectNode) Json.MAPPER.readTree(json);
        return template.send("direct:device", exchange -> {
            exchange.setProperty(ChangesHeaders.DOC_PROPERTY, doc);
            exchange.getMessage().setHeader(ChangesHeaders.DOC_ID, doc.path("_id").asText());
            exchange.getMessage().setHeader(ChangesHeaders.DOC_STATE, doc.path("state").asText());
            exchange.getMessage().setBody(json);
        });
    }

    /** The route's beans that do not talk to a server. */
    public static class Beans implements CamelConfiguration {
        @Override
        public void configure(CamelContext context) {
            Clock clock = Clock.fixed(Instant.ofEpochSecond(1_700_000_000), ZoneOffset.UTC);
            FlowDefinitions flows = FlowDefinitions.load(Path.of("config/flows"));
            context.getRegistry().bind("documentSchemas", new DocumentSchemas(Path.of("config/schemas")));
            context.getRegistry().bind("deviceRegistration", new DeviceRegistration(null, clock, flows,
                    Duration.ofHours(1), "couchwork@localhost", "http://127.0.0.1:8080/confirm"));
            context.getRegistry().bind("stateHandlers", new Object()); // mocked and skipped
        }
    }
}
