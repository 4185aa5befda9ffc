package io.couchwork.camel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.couchwork.camel.ChangesComponent;
import io.couchwork.couchdb.Json;
import java.time.Duration;
import org.apache.camel.CamelContext;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The components as Camel tooling sees them: found by scheme with no registration, options typed and described. */
class ComponentCatalogTest {

    private final CamelContext context = new DefaultCamelContext();

    @AfterEach
    void stop() throws Exception {
        context.close();
    }

    @Test
    void should_find_every_component_by_its_scheme_alone() {
        assertThat(context.getComponent("tokens")).isInstanceOf(TokenPoolComponent.class);
        assertThat(context.getComponent("shell")).isInstanceOf(ShellComponent.class);
        assertThat(context.getComponent("changes")).isInstanceOf(ChangesComponent.class);
    }

    @Test
    void should_publish_typed_options_with_defaults_and_the_headers() throws Exception {
        JsonNode tokens = catalog("camel/tokens.json");
        assertThat(tokens.at("/component/syntax").asText()).isEqualTo("tokens:name");
        assertThat(tokens.at("/component/consumerOnly").asBoolean()).isTrue();
        assertThat(tokens.at("/properties/leaseDuration/javaType").asText()).isEqualTo("java.time.Duration");
        assertThat(tokens.at("/properties/leaseDuration/defaultValue").asText()).isEqualTo("5m");
        assertThat(tokens.at("/properties/concurrency/type").asText()).isEqualTo("integer");
        assertThat(tokens.at("/properties/concurrency/description").asText()).isNotBlank();
        assertThat(tokens.at("/headers/" + CouchworkHeaders.EXIT_CODE + "/javaType").asText()).isEqualTo("int");

        JsonNode shell = catalog("camel/shell.json");
        assertThat(shell.at("/properties/command/required").asBoolean()).isTrue();
        assertThat(shell.at("/component/producerOnly").asBoolean()).isTrue();

        JsonNode changes = catalog("camel/changes.json");
        assertThat(changes.at("/properties/startFrom/enum").toString()).contains("beginning", "now");
        assertThat(changes.at("/headers/CouchworkDocId")).isNotNull();
        assertThat(changes.at("/headers").size()).isEqualTo(4);
    }

    /** The component JSON the build generated, where Camel's catalog and IDE tooling read it. */
    private static JsonNode catalog(String file) throws java.io.IOException {
        try (java.io.InputStream in = ComponentCatalogTest.class.getResourceAsStream("/META-INF/io/couchwork/" + file)) {
            assertThat(in).as(file + " on the class path").isNotNull();
            return Json.MAPPER.readTree(in);
        }
    }

    @Test
    void should_convert_options_to_their_types_once() {
        ShellEndpoint shell = context.getEndpoint("shell:job?command=echo+{input}&timeout=1h30m", ShellEndpoint.class);
        assertThat(shell.getTimeout()).isEqualTo(Duration.ofMinutes(90));
        assertThat(shell.template()).isNotNull();
    }

    @Test
    void should_refuse_an_unknown_option_naming_it() {
        assertThatThrownBy(() -> context.getEndpoint("shell:job?command=echo&timout=5s"))
                .hasMessageContaining("timout");
    }

    @Test
    void should_say_what_is_missing_when_no_database_is_bound() {
        assertThatThrownBy(() -> context.getEndpoint("tokens:pool"))
                .hasStackTraceContaining("The tokens: component needs one CouchDatabase bean in the registry");
    }
}
