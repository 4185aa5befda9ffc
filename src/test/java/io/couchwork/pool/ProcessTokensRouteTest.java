package io.couchwork.pool;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.couchwork.camel.CouchworkHeaders;
import io.couchwork.couchdb.Json;
import io.couchwork.exec.CommandFailedException;
import org.apache.camel.Exchange;
import org.apache.camel.Produce;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.junit.jupiter.api.Test;

/**
 * routes/process-tokens.camel.yaml alone, without a server (camel-test-main-junit5): the tokens: consumer is replaced by
 * a direct: endpoint, and the shipped shell: step runs the configured command for the token as a worker would.
 */
@CamelMainTest(
        propertyPlaceholderLocations = "file:config/application.properties",
        properties = {
                "couchwork.home=.",
                "camel.main.routes-include-pattern=file:routes/process-tokens.camel.yaml,"
                        + "classpath:routes-under-test/test-errors.camel.yaml",
                // quotes and a $ in the input must reach the command as data, not as shell syntax
                "couchwork.exec.command=printf '%s|%s' {_id} {input}; exit {code}"},
        replaceRouteFromWith = "processTokens=direct:token")
class ProcessTokensRouteTest {

    @Produce
    ProducerTemplate template;

    @Test
    void should_run_the_token_command_with_its_fields_quoted_and_keep_the_output() {
        Exchange done = run("{\"_id\":\"t1\",\"type\":\"token\",\"input\":\"it's $HOME\",\"code\":0}");

        assertThat(done.getException()).isNull();
        assertThat(done.getMessage().getHeader(CouchworkHeaders.EXIT_CODE)).isEqualTo(0);
        assertThat(done.getMessage().getBody(String.class)).isEqualTo("t1|it's $HOME");
    }

    @Test
    void should_fail_the_exchange_with_the_exit_code_of_a_failing_command() {
        Exchange done = run("{\"_id\":\"t2\",\"type\":\"token\",\"input\":\"x\",\"code\":3}");

        assertThat(done.getException()).isInstanceOf(CommandFailedException.class);
        assertThat(((CommandFailedException) done.getException()).exitCode()).isEqualTo(3);
    }

    private Exchange run(String json) {
        return template.send("direct:token", exchange -> {
            ObjectNode token = (ObjectNode) Json.MAPPER.readTree(json);
            exchange.setProperty(CouchworkHeaders.TOKEN_PROPERTY, token);
            exchange.getMessage().setHeader(CouchworkHeaders.TOKEN_ID, token.path("_id").asText());
            exchange.getMessage().setBody(json);
        });
    }
}
