package io.couchwork.couchdb;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.junit.jupiter.api.Test;

class BulkResultsTest {

    private static ObjectNode doc(String id) {
        ObjectNode doc = Json.object();
        if (id != null) {
            doc.put("_id", id);
        }
        return doc;
    }

    private static WriteResult ok(String id, String rev) {
        return new WriteResult(id, rev, null, null);
    }

    private static WriteResult conflict(String id) {
        return new WriteResult(id, null, "conflict", "Document update conflict");
    }

    @Test
    void should_give_each_document_the_result_with_its_id_when_the_server_answered_out_of_order() {
        List<WriteResult> matched = BulkResults.inOrderOf(List.of(doc("a"), doc("b"), doc("c")),
                List.of(ok("c", "2-c"), ok("a", "2-a"), conflict("b")));

        assertThat(matched).extracting(WriteResult::id).containsExactly("a", "b", "c");
        assertThat(matched).extracting(WriteResult::rev).containsExactly("2-a", null, "2-c");
        assertThat(matched.get(1).ok()).isFalse();
    }

    @Test
    void should_give_a_document_sent_twice_its_results_in_the_servers_order() {
        List<WriteResult> matched = BulkResults.inOrderOf(List.of(doc("a"), doc("b"), doc("a")),
                List.of(ok("b", "2-b"), ok("a", "2-a"), conflict("a")));

        assertThat(matched).extracting(WriteResult::rev).containsExactly("2-a", "2-b", null);
    }

    @Test
    void should_answer_an_error_for_a_document_the_answer_has_no_result_for() {
        List<WriteResult> matched = BulkResults.inOrderOf(List.of(doc("a"), doc("b")), List.of(ok("a", "2-a")));

        assertThat(matched).hasSize(2);
        assertThat(matched.get(0).rev()).isEqualTo("2-a");
        assertThat(matched.get(1).ok()).isFalse();
        assertThat(matched.get(1).id()).isEqualTo("b");
    }

    @Test
    void should_match_by_position_documents_the_server_names() {
        List<WriteResult> answer = List.of(ok("x1", "1-x"), ok("a", "1-a"));

        assertThat(BulkResults.inOrderOf(List.of(doc(null), doc("a")), answer)).isSameAs(answer);
    }
}
