package io.couchwork.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.couchwork.bench.CostModel.Kind;
import io.couchwork.bench.CostModel.Request;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Which request costs what in the server-cost model: the measured CouchDB 3.5 figures come back out of it. */
class CostModelTest {

    private final CostModel single = new CostModel(CostModel.SINGLE_NODE);
    private final CostModel cluster = new CostModel(CostModel.CLUSTER);

    private static Request request(String method, String path, String query, String body) {
        return CostModel.classify(method, path, query,
                body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8));
    }

    private static String bulk(int fresh, int updates) {
        StringBuilder docs = new StringBuilder("{\"docs\":[");
        for (int i = 0; i < fresh + updates; i++) {
            docs.append(i > 0 ? "," : "").append("{\"_id\":\"d").append(i).append('"')
                    .append(i >= fresh ? ",\"_rev\":\"1-abc\"" : "").append(",\"type\":\"token\"}");
        }
        return docs.append("]}").toString();
    }

    @Test
    void should_cost_a_one_document_put_what_couchdb_was_measured_at() {
        Request put = request("PUT", "/pool/token_1", null, "{\"_id\":\"token_1\",\"lock\":0}");
        assertThat(put.kind()).isEqualTo(Kind.WRITE);
        assertThat(put.database()).isEqualTo("pool");
        assertThat(put.newDocs()).isEqualTo(1);
        assertThat(single.charge(put)).isCloseTo(4.8, within(1e-9));
        assertThat(cluster.charge(put)).isCloseTo(20.0, within(1e-9));
        Request update = request("PUT", "/pool/token_1", null, "{\"_id\":\"token_1\",\"_rev\":\"1-a\",\"lock\":1}");
        assertThat(update.updatedDocs()).isEqualTo(1);
        assertThat(single.charge(update)).isCloseTo(CostModel.SINGLE_NODE.fixedWrite()
                + CostModel.SINGLE_NODE.perUpdatedDoc(), within(1e-9));
        assertThat(request("DELETE", "/pool/token_1", "rev=1-a", null).updatedDocs()).isEqualTo(1);
    }

    @Test
    void should_cost_bulk_writes_as_fixed_plus_per_document_with_updates_dearer_than_new_documents() {
        Request fresh = request("POST", "/pool/_bulk_docs", null, bulk(100, 0));
        assertThat(fresh.kind()).isEqualTo(Kind.BULK_WRITE);
        assertThat(fresh.newDocs()).isEqualTo(100);
        assertThat(single.charge(fresh)).isCloseTo(12.8, within(1e-9));
        assertThat(cluster.charge(fresh)).isCloseTo(65.0, within(1e-9));

        Request updates = request("POST", "/pool/_bulk_docs", null, bulk(0, 50));
        assertThat(updates.updatedDocs()).isEqualTo(50);
        assertThat(single.charge(updates)).isCloseTo(9.9, within(1e-9));
        assertThat(cluster.charge(updates)).isCloseTo(54.0, within(1e-9));

        assertThat(CostModel.SINGLE_NODE.fixedWrite()).isCloseTo(4.72, within(0.01));
        assertThat(CostModel.SINGLE_NODE.perNewDoc()).isCloseTo(0.081, within(0.001));
        assertThat(CostModel.SINGLE_NODE.perUpdatedDoc()).isCloseTo(0.104, within(0.001));

        Request mixed = request("POST", "/pool/_bulk_docs", null, bulk(3, 2));
        assertThat(mixed.newDocs()).isEqualTo(3);
        assertThat(mixed.updatedDocs()).isEqualTo(2);
    }

    @Test
    void should_make_a_view_read_pay_the_index_update_once_after_a_write_to_its_database() {
        Request view = request("POST", "/pool/_design/Monitor/_view/todo", null, "{\"limit\":100}");
        assertThat(view.kind()).isEqualTo(Kind.VIEW);
        assertThat(single.charge(view)).isCloseTo(3.5, within(1e-9)); // nothing written yet: warm

        single.charge(request("PUT", "/pool/t1", null, "{}"));
        assertThat(single.charge(view)).isCloseTo(11.0, within(1e-9));
        assertThat(single.charge(view)).isCloseTo(3.5, within(1e-9));

        // another database's write, or another view's read, does not bring this view up to date
        single.charge(request("POST", "/other/_bulk_docs", null, bulk(5, 0)));
        assertThat(single.charge(view)).isCloseTo(3.5, within(1e-9));
        single.charge(request("POST", "/pool/_bulk_docs", null, bulk(5, 0)));
        assertThat(single.charge(request("GET", "/pool/_design/couchwork/_view/states", "limit=1", null)))
                .isCloseTo(11.0, within(1e-9));
        assertThat(single.charge(view)).isCloseTo(11.0, within(1e-9));

        // the cluster's view reads are assumed: a _changes read warm, the single node's after-write ratio
        cluster.charge(request("PUT", "/pool/t1", null, "{}"));
        assertThat(cluster.charge(view)).isCloseTo(38.0 * 11 / 3.5, within(1e-9));
        assertThat(cluster.charge(view)).isCloseTo(38.0, within(1e-9));
    }

    @Test
    void should_cost_a_longpoll_one_changes_read_and_other_reads_the_same() {
        Request longpoll = request("POST", "/pool/_changes", "feed=longpoll&since=12-g1AAA&include_docs=true", "{}");
        assertThat(longpoll.kind()).isEqualTo(Kind.LONGPOLL);
        assertThat(longpoll.isWrite()).isFalse();
        assertThat(single.charge(longpoll)).isCloseTo(3.5, within(1e-9));
        assertThat(cluster.charge(longpoll)).isCloseTo(38.0, within(1e-9));

        Request normal = request("GET", "/pool/_changes", "limit=1", null);
        assertThat(normal.kind()).isEqualTo(Kind.CHANGES);
        assertThat(single.charge(normal)).isCloseTo(3.5, within(1e-9));

        assertThat(request("GET", "/pool/token_1", null, null).kind()).isEqualTo(Kind.READ);
        assertThat(request("POST", "/pool/_all_docs", null, "{\"keys\":[\"a\"]}").kind()).isEqualTo(Kind.READ);
        assertThat(request("GET", "/", null, null).kind()).isEqualTo(Kind.READ);
        assertThat(request("POST", "/pool/_all_docs", null, "{\"keys\":[\"a\"]}").isWrite()).isFalse();
        assertThat(single.charge(request("GET", "/pool", null, null))).isCloseTo(3.5, within(1e-9));
    }

    @Test
    void should_count_local_documents_design_documents_and_updates_handlers_as_writes() {
        assertThat(request("PUT", "/pool/_local/checkpoint", null, "{}").kind()).isEqualTo(Kind.WRITE);
        assertThat(request("PUT", "/pool/_design/Monitor", null, "{\"views\":{}}").kind()).isEqualTo(Kind.WRITE);
        assertThat(request("GET", "/pool/_design/Monitor", null, null).kind()).isEqualTo(Kind.READ);
        assertThat(request("POST", "/pool", null, "{\"type\":\"token\"}").newDocs()).isEqualTo(1);
    }

    @Test
    void should_cap_the_token_rate_by_the_per_document_write_costs_of_two_updates() {
        // cluster: 0.689 ms per update; single node: 0.1036 ms
        assertThat(CostModel.CLUSTER.maxTokensPerSecond()).isCloseTo(725.6, within(0.5));
        assertThat(CostModel.SINGLE_NODE.maxTokensPerSecond()).isCloseTo(4826, within(2.0));
    }
}
