package io.couchwork.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.couchwork.CouchworkException;
import io.couchwork.ExitCode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Flow states files: the shipped ones load, and a bad one fails naming its file and line. */
class FlowDefinitionsTest {

    @TempDir
    Path dir;

    @Test
    void should_load_the_shipped_flows_with_their_transitions() {
        FlowDefinitions flows = FlowDefinitions.load(Path.of("config/flows"));
        assertThat(flows.all()).extracting(FlowStates::name)
                .containsExactly("channels", "device-confirmations", "devices", "pipeline");
        FlowStates devices = flows.forType("device").orElseThrow();
        assertThat(devices.name()).isEqualTo("devices");
        assertThat(devices.initial()).isEqualTo("new");
        assertThat(devices.allows("new", "confirming")).isTrue();
        assertThat(devices.allows("confirming", "done")).isFalse();
        assertThat(devices.allows(null, "new")).isFalse();
        assertThat(flows.forType("confirm").orElseThrow().name()).isEqualTo("device-confirmations");
        assertThat(flows.forType("job")).isEmpty();
    }

    @Test
    void should_need_no_folder() {
        assertThat(FlowDefinitions.load(dir.resolve("missing")).all()).isEmpty();
    }

    @Test
    void should_name_the_file_and_line_of_an_unknown_state_in_a_transition() throws IOException {
        Path file = write("jobs.yaml", """
                flow: jobs
                types: [job]
                states: [new, done]
                initial: new
                transitions:
                  new: [done]
                  done: [nwe]
                """);
        assertProblem("Invalid flow states file " + file + " line 7: unknown state 'nwe' (states: new, done)");
    }

    @Test
    void should_name_the_file_of_a_flow_without_an_initial_state() throws IOException {
        Path file = write("jobs.yaml", """
                flow: jobs
                types: job
                states: [new, done]
                transitions:
                  new: [done]
                """);
        assertProblem("Invalid flow states file " + file + " line 1: no initial state (initial: one of new, done)");
    }

    @Test
    void should_refuse_transitions_from_a_terminal_state_and_unknown_fields() throws IOException {
        Path file = write("jobs.yaml", """
                flow: jobs
                types: [job]
                states: [new, done]
                initial: new
                terminal: [done]
                transitions:
                  new: [done]
                  done: [new]
                """);
        assertProblem("Invalid flow states file " + file + " line 8: terminal state 'done' cannot have transitions");
        Files.writeString(file, "flow: jobs\nkinds: [job]\n");
        assertProblem("Invalid flow states file " + file + " line 2: unknown field 'kinds' (expected flow, initial,"
                + " states, terminal, transitions, types)");
        Files.writeString(file, "flow: jobs\ntypes: [job\n");
        assertThatThrownBy(() -> FlowDefinitions.load(dir)).hasMessage("Invalid flow states file " + file + ":3:1:"
                + " expected ',' or ']', but got <stream end> (while parsing a flow sequence at line 2, column 8)\n"
                + "  2 | types: [job\n"
                + "    |        ^");
    }

    @Test
    void should_refuse_two_flows_driving_one_document_type() throws IOException {
        String flow = "types: [job]\nstates: [new, done]\ninitial: new\ntransitions:\n  new: [done]\n";
        Path first = write("a.yaml", "flow: a\n" + flow);
        Path second = write("b.yaml", "flow: b\n" + flow);
        assertProblem("Invalid flow states file " + second + ": documents of type job are driven by flow a (" + first
                + ") already");
    }

    private Path write(String name, String text) throws IOException {
        return Files.writeString(dir.resolve(name), text);
    }

    private void assertProblem(String message) {
        assertThatThrownBy(() -> FlowDefinitions.load(dir)).isInstanceOf(CouchworkException.class)
                .hasMessage(message)
                .satisfies(e -> assertThat(((CouchworkException) e).exitCode()).isEqualTo(ExitCode.CONFIGURATION));
    }
}
