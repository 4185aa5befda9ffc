package io.couchwork.camel;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.couchwork.couchdb.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Where a shell: job runs: a PiCaS pilot's own directory, or a fresh one. */
class ShellEndpointTest {

    private final CamelContext context = new DefaultCamelContext();

    @AfterEach
    void stop() throws Exception {
        context.close();
    }

    @Test
    void should_run_a_picas_pilot_script_from_its_directory_given_relative_to_the_worker() throws Exception {
        // PiCaS's example pilot: ./process_task.sh {input}, next to the pilot, writing its result there
        Path pilot = Files.createDirectories(Path.of("target", "pilot-" + System.nanoTime()));
        Path script = Files.writeString(pilot.resolve("process_task.sh"), "echo \"processed $1\" > \"result-$1.txt\"\n"
                + "cat \"result-$1.txt\"\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));

        Exchange done = run("shell:pilot?command=RAW(./process_task.sh {input})&workingDirectory=" + pilot,
                "{\"_id\":\"t1\",\"input\":\"a1\"}");

        assertThat(done.getException()).isNull();
        assertThat(done.getMessage().getBody(String.class)).isEqualTo("processed a1\n");
        assertThat(pilot.resolve("result-a1.txt")).hasContent("processed a1"); // left where the pilot expects it
        assertThat(script).exists(); // the directory is the user's: never emptied
    }

    @Test
    void should_run_in_a_fresh_empty_directory_when_the_setting_is_blank() throws Exception {
        Exchange done = run("shell:fresh?command=RAW(pwd; ls -A | wc -l)&workingDirectory=", "{\"_id\":\"t2\"}");

        String[] lines = done.getMessage().getBody(String.class).strip().split("\n");
        assertThat(Path.of(lines[0])).isNotEqualTo(Path.of("").toAbsolutePath());
        assertThat(lines[1].strip()).isEqualTo("0");
    }

    private Exchange run(String uri, String json) throws Exception {
        ObjectNode token = (ObjectNode) Json.MAPPER.readTree(json);
        context.start();
        return context.createProducerTemplate().send(uri, exchange -> {
            exchange.setProperty(CouchworkHeaders.TOKEN_PROPERTY, token);
            exchange.getMessage().setBody(json);
        });
    }
}
