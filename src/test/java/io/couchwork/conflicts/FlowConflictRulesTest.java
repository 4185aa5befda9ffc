package io.couchwork.conflicts;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.couchwork.couchdb.Json;
import io.couchwork.flow.FlowStates;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The deterministic resolution of a flow document's conflicting revisions. */
class FlowConflictRulesTest {

    static final FlowStates FLOW = new FlowStates("devices", Path.of("config/flows/devices.yaml"), List.of("device"),
            List.of("new", "confirming", "confirmed", "active"), "new", Set.of("active"),
            Map.of("new", List.of("confirming"), "confirming", List.of("confirmed"), "confirmed", List.of("active")));

    static ObjectNode device(String rev, String state) {
        ObjectNode doc = Json.object();
        doc.put("_id", "d1");
        doc.put("_rev", rev);
        doc.put("type", "device");
        doc.put("state", state);
        return doc;
    }

    @Test
    void should_keep_the_state_furthest_along_the_declared_order() {
        ConflictResolution r = FlowConflictRules.resolve(FLOW, List.of(device("5-ffff", "confirming"),
                device("3-aaaa", "confirmed"), device("4-bbbb", "new")), 1000).orElseThrow();

        assertThat(r.keptRev()).isEqualTo("3-aaaa");
        assertThat(r.losingRevs()).containsExactly("5-ffff", "4-bbbb");
        assertThat(r.keptChanged()).isFalse();
        assertThat(r.alongside()).isEmpty();
        assertThat(r.rule()).contains("furthest along flow devices");
    }

    @Test
    void should_keep_a_parked_revision_over_any_state() {
        ConflictResolution r = FlowConflictRules.resolve(FLOW, List.of(device("5-ffff", "active"),
                device("3-aaaa", "dead_letter")), 1000).orElseThrow();

        assertThat(r.keptRev()).isEqualTo("3-aaaa");
    }

    @Test
    void should_keep_couchdbs_winner_among_identical_revisions() {
        ConflictResolution r = FlowConflictRules.resolve(FLOW, List.of(device("3-aaaa", "active"),
                device("3-bbbb", "active")), 1000).orElseThrow();

        assertThat(r.keptRev()).isEqualTo("3-bbbb");
        assertThat(r.alongside()).isEmpty();
    }

    @Test
    void should_send_the_document_to_the_dead_letters_when_the_furthest_state_differs_in_content() {
        ObjectNode a = device("4-aaaa", "confirming").put("confirm_code", "111");
        ObjectNode b = device("4-bbbb", "confirming").put("confirm_code", "222");

        ConflictResolution r = FlowConflictRules.resolve(FLOW, List.of(a, b), 1000).orElseThrow();

        assertThat(r.keptRev()).isEqualTo("4-bbbb");
        assertThat(r.kept().path("state").asText()).isEqualTo("dead_letter");
        assertThat(r.kept().path("dead_letter").path("previous_state").asText()).isEqualTo("confirming");
        assertThat(r.losingRevs()).containsExactly("4-aaaa");
        ObjectNode letter = r.alongside().get(0);
        assertThat(letter.path("type").asText()).isEqualTo("dead_letter");
        assertThat(letter.path("doc_id").asText()).isEqualTo("d1");
        assertThat(letter.path("cause").asText()).contains("undecidable");
        assertThat(letter.path("conflicting_revisions")).extracting(l -> l.path("confirm_code").asText())
                .containsExactly("222", "111");
        assertThat(r.kept().path("dead_letter").path("id").asText()).isEqualTo(letter.path("_id").asText());
        assertThat(r.rule()).startsWith("dead letter");
    }

    @Test
    void should_send_a_document_with_an_undeclared_state_to_the_dead_letters() {
        ConflictResolution r = FlowConflictRules.resolve(FLOW, List.of(device("4-aaaa", "active"),
                device("4-bbbb", "lost")), 1000).orElseThrow();

        assertThat(r.alongside()).hasSize(1);
        assertThat(r.alongside().get(0).path("cause").asText()).contains("does not declare");
    }
}
