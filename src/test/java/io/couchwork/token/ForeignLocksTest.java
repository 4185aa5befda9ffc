package io.couchwork.token;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

/** A lock that is not a Couchwork lease counts as a PiCaS pilot's for a while; Couchwork's own claims never do. */
class ForeignLocksTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final ForeignLocks locks = new ForeignLocks(60_000);

    private static Token token(String json) throws Exception {
        return new Token((ObjectNode) JSON.readTree(json));
    }

    @Test
    void a_picas_lock_on_a_todo_token_counts_for_the_memory_and_no_longer() throws Exception {
        locks.saw(token("{\"_id\":\"t\",\"type\":\"token\",\"lock\":100,\"done\":0,\"hostname\":\"wn1\"}"),
                1_000);
        assertThat(locks.recent(1_000)).isTrue();
        assertThat(locks.recent(61_000)).isTrue();
        assertThat(locks.recent(61_001)).isFalse();
    }

    @Test
    void a_picas_lock_written_over_a_couchwork_claim_counts() throws Exception {
        locks.saw(token("{\"_id\":\"t\",\"type\":\"token\",\"lock\":101,\"done\":0,\"claim_lock\":100,"
                + "\"lease_until\":400,\"claim_id\":\"c\",\"worker_id\":\"w\"}"), 1_000);
        assertThat(locks.recent(2_000)).isTrue();
    }

    @Test
    void couchwork_claims_and_tokens_that_are_not_locked_do_not_count() throws Exception {
        locks.saw(token("{\"_id\":\"t\",\"type\":\"token\",\"lock\":100,\"done\":0,\"claim_lock\":100,"
                + "\"lease_until\":400,\"claim_id\":\"c\",\"worker_id\":\"w\"}"), 1_000);
        locks.saw(token("{\"_id\":\"u\",\"type\":\"token\",\"lock\":0,\"done\":0}"), 1_000);
        locks.saw(token("{\"_id\":\"v\",\"type\":\"token\",\"lock\":100,\"done\":200,\"hostname\":\"wn1\"}"),
                1_000);
        assertThat(locks.recent(1_000)).isFalse();
    }
}
