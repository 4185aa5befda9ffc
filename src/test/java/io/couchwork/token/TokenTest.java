package io.couchwork.token;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.couchwork.couchdb.Json;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A token document as a JSON tree: run history bounds, unknown fields kept, error list, checked transitions. */
class TokenTest {

    private static final WorkerIdentity WORKER = new WorkerIdentity("host1", "host1-1-abcd",
            Map.of("slurm_job_id", "77_3"));

    private static ObjectNode todoDoc() {
        ObjectNode doc = Json.object();
        doc.put("_id", "t1");
        doc.put("_rev", "1-a");
        doc.put("type", "token");
        doc.put("lock", 0);
        doc.put("done", 0);
        doc.put("input", "a");
        return doc;
    }

    private static RunRecord run(int i) {
        return new RunRecord("c" + i, "w", "h", i, i + 1, "retry", 1);
    }

    @Test
    void should_read_its_fields() {
        ObjectNode doc = todoDoc().put("priority", 5).put("not_before", 1200).put("created", 900)
                .put("attempts", 2).put("timeout", 60);
        Token token = new Token(doc);
        assertThat(token.id()).isEqualTo("t1");
        assertThat(token.rev()).isEqualTo("1-a");
        assertThat(token.type()).isEqualTo("token");
        assertThat(token.state()).isEqualTo(TokenState.TODO);
        assertThat(token.priority()).isEqualTo(5);
        assertThat(token.notBefore()).isEqualTo(1200);
        assertThat(token.created()).isEqualTo(900);
        assertThat(token.attempts()).isEqualTo(2);
        assertThat(token.timeoutSeconds()).isEqualTo(60);
        assertThat(token.claimId()).isNull();
        assertThat(token.toString()).isEqualTo("token t1 (token, TODO)");
    }

    @Test
    void should_read_missing_or_non_numeric_numbers_as_zero() {
        Token token = new Token(todoDoc().put("priority", "high").put("attempts", "2"));
        assertThat(token.priority()).isZero();
        assertThat(token.attempts()).isZero();
        assertThat(token.leaseUntil()).isZero();
        assertThat(token.timeoutSeconds()).isZero();
    }

    @Test
    void should_stamp_the_worker_and_lease_when_claimed() {
        Token claimed = new Token(todoDoc()).claimed(WORKER, "c1", 1000, 1300);
        ObjectNode doc = claimed.document();
        assertThat(claimed.state()).isEqualTo(TokenState.LOCKED);
        assertThat(doc.get("lock").asLong()).isEqualTo(1000);
        assertThat(doc.get("done").asLong()).isZero();
        assertThat(claimed.leaseUntil()).isEqualTo(1300);
        assertThat(claimed.claimId()).isEqualTo("c1");
        assertThat(claimed.workerId()).isEqualTo("host1-1-abcd");
        assertThat(doc.get("hostname").asText()).isEqualTo("host1");
        assertThat(doc.get("slurm_job_id").asText()).isEqualTo("77_3");
    }

    @Test
    void should_refuse_to_claim_a_token_that_is_not_todo() {
        Token locked = new Token(todoDoc()).claimed(WORKER, "c1", 1000, 1300);
        Token done = locked.finished(1100, 0, null, 100, null);
        assertThatThrownBy(() -> done.claimed(WORKER, "c2", 1200, 1500))
                .isInstanceOf(IllegalStateTransitionException.class)
                .hasMessageContaining("t1").hasMessageContaining("DONE").hasMessageContaining("LOCKED");
        assertThatThrownBy(() -> new Token(todoDoc()).finished(1100, 0, null, 1, null))
                .isInstanceOf(IllegalStateTransitionException.class);
        assertThatThrownBy(() -> done.leaseExtended(2000))
                .isInstanceOf(IllegalStateTransitionException.class);
        assertThatThrownBy(() -> done.requeued(0, true, null).requeued(0, true, null))
                .isInstanceOf(IllegalStateTransitionException.class)
                .hasMessageContaining("TODO");
    }

    @Test
    void should_refuse_to_extend_the_lease_of_a_token_that_is_not_locked() {
        assertThatThrownBy(() -> new Token(todoDoc()).leaseExtended(2000))
                .isInstanceOf(IllegalStateTransitionException.class);
    }

    @Test
    void should_extend_the_lease_of_a_locked_token() {
        Token locked = new Token(todoDoc()).claimed(WORKER, "c1", 1000, 1300);
        Token extended = locked.leaseExtended(1600);
        assertThat(extended.leaseUntil()).isEqualTo(1600);
        assertThat(extended.state()).isEqualTo(TokenState.LOCKED);
        assertThat(locked.leaseUntil()).isEqualTo(1300);
    }

    @Test
    void should_set_only_the_rev_with_rev() {
        Token token = new Token(todoDoc());
        Token updated = token.withRev("2-b");
        assertThat(updated.rev()).isEqualTo("2-b");
        assertThat(token.rev()).isEqualTo("1-a");
        ObjectNode expected = todoDoc().put("_rev", "2-b");
        assertThat(updated.document()).isEqualTo(expected);
    }

    @Test
    void should_keep_at_most_twenty_runs_dropping_the_oldest() {
        Token token = new Token(todoDoc()).claimed(WORKER, "c", 1000, 1300);
        for (int i = 1; i <= 25; i++) {
            token = token.requeued(0, true, run(i)).claimed(WORKER, "c", 1000, 1300);
        }
        JsonNode runs = token.document().get("runs");
        assertThat(runs).hasSize(Token.MAX_RUNS);
        assertThat(Token.MAX_RUNS).isEqualTo(20);
        assertThat(runs.get(0).get("claim_id").asText()).isEqualTo("c6");
        assertThat(runs.get(19).get("claim_id").asText()).isEqualTo("c25");
        assertThat(token.attempts()).isEqualTo(25);
    }

    @Test
    void should_trim_an_over_long_run_history_on_the_next_run() {
        ObjectNode doc = new Token(todoDoc()).claimed(WORKER, "c", 1000, 1300).document();
        ArrayNode runs = doc.putArray("runs");
        for (int i = 1; i <= 30; i++) {
            runs.add(run(i).toJson());
        }
        Token finished = new Token(doc).finished(2000, 0, null, 1, run(31));
        JsonNode kept = finished.document().get("runs");
        assertThat(kept).hasSize(20);
        assertThat(kept.get(0).get("claim_id").asText()).isEqualTo("c12");
        assertThat(kept.get(19).get("claim_id").asText()).isEqualTo("c31");
    }

    @Test
    void should_replace_a_runs_field_that_is_not_an_array() {
        ObjectNode doc = new Token(todoDoc()).claimed(WORKER, "c", 1000, 1300).document();
        doc.put("runs", "garbage");
        Token finished = new Token(doc).finished(2000, 0, null, 1, run(1));
        assertThat(finished.document().get("runs")).hasSize(1);
        assertThat(finished.document().get("runs").get(0).get("claim_id").asText()).isEqualTo("c1");
    }

    @Test
    void should_keep_unknown_fields_through_every_change() {
        ObjectNode doc = todoDoc();
        doc.putObject("user_meta").put("owner", "alice").putArray("tags").add("x").add("y");
        doc.put("picas_field", 3.5);
        JsonNode userMeta = doc.get("user_meta").deepCopy();

        Token token = new Token(doc).claimed(WORKER, "c1", 1000, 1300)
                .leaseExtended(1600)
                .withError(1100, "oops", "E")
                .requeued(1200, true, run(1))
                .claimed(WORKER, "c2", 1300, 1600)
                .finished(1400, 0, Json.object().put("r", 1), 100, run(2))
                .withRev("9-z");

        assertThat(token.document().get("user_meta")).isEqualTo(userMeta);
        assertThat(token.document().get("picas_field").asDouble()).isEqualTo(3.5);
        assertThat(token.document().get("input").asText()).isEqualTo("a");
        assertThat(token.document().get("type").asText()).isEqualTo("token");
        assertThat(token.state()).isEqualTo(TokenState.DONE);
    }

    @Test
    void should_create_the_error_list_when_missing() {
        Token token = new Token(todoDoc()).withError(1000, "boom", "RuntimeException");
        JsonNode errors = token.document().get("error");
        assertThat(errors.isArray()).isTrue();
        assertThat(errors).hasSize(1);
        assertThat(errors.get(0)).isEqualTo(Json.object().put("time", 1000L).put("message", "boom")
                .put("exception", "RuntimeException"));
    }

    @Test
    void should_replace_an_error_field_that_is_not_an_array() {
        Token token = new Token(todoDoc().put("error", "old text")).withError(1000, "boom", "E");
        JsonNode errors = token.document().get("error");
        assertThat(errors.isArray()).isTrue();
        assertThat(errors).hasSize(1);
        assertThat(errors.get(0).get("message").asText()).isEqualTo("boom");
    }

    @Test
    void should_append_to_an_existing_error_list() {
        Token token = new Token(todoDoc()).withError(1000, "first", "E1").withError(1001, "second", "E2");
        JsonNode errors = token.document().get("error");
        assertThat(errors).hasSize(2);
        assertThat(errors.get(0).get("message").asText()).isEqualTo("first");
        assertThat(errors.get(1).get("message").asText()).isEqualTo("second");
        assertThat(errors.get(1).get("time").asLong()).isEqualTo(1001);
    }

    @Test
    void should_not_change_the_original_document() {
        ObjectNode doc = todoDoc();
        String before = doc.toString();
        new Token(doc).withError(1000, "boom", "E").claimed(WORKER, "c1", 1000, 1300);
        assertThat(doc.toString()).isEqualTo(before);
    }

    @Test
    void should_finish_into_error_with_a_non_zero_exit_code() {
        Token locked = new Token(todoDoc()).claimed(WORKER, "c1", 1000, 1300);
        Token failed = locked.finished(1100, 7, null, 100, null);
        assertThat(failed.state()).isEqualTo(TokenState.ERROR);
        assertThat(failed.document().get("exit_code").asInt()).isEqualTo(7);
        assertThat(failed.document().get("run_time").asLong()).isEqualTo(100);
        assertThat(failed.document().has("runs")).isFalse();
        assertThat(failed.document().has("output")).isFalse();
    }

    @Test
    void should_requeue_without_counting_an_attempt_when_told_not_to() {
        Token locked = new Token(todoDoc().put("attempts", 1).put("scrub_count", 4)).claimed(WORKER, "c1", 1000, 1300);
        Token released = locked.requeued(0, false, null);
        assertThat(released.attempts()).isEqualTo(1);
        assertThat(released.document().get("scrub_count").asInt()).isEqualTo(4);
        assertThat(released.claimId()).isNull();

        Token retried = locked.requeued(1500, true, null);
        assertThat(retried.attempts()).isEqualTo(2);
        assertThat(retried.document().get("scrub_count").asInt()).isEqualTo(5);
        assertThat(retried.notBefore()).isEqualTo(1500);
    }

    @Test
    void a_picas_reset_of_an_error_token_starts_a_fresh_attempt_budget_and_ignores_the_old_retry_delay() {
        Token locked = new Token(todoDoc()).claimed(WORKER, "c1", 1000, 1300);
        ObjectNode doc = locked.document().deepCopy().put("attempts", 3).put("not_before", 5000);
        Token error = new Token(doc).finished(1100, 7, null, 100, null);
        assertThat(error.attempts()).isEqualTo(3);

        // PiCaS's resetTokens: lock 0, done 0, scrub_count + 1; Couchwork's fields left as they were
        ObjectNode reset = error.document().deepCopy().put("lock", 0).put("done", 0)
                .put("scrub_count", error.document().path("scrub_count").asLong() + 1);
        Token picasReset = new Token(reset);
        assertThat(picasReset.changedByOthers()).isTrue();
        assertThat(picasReset.attempts()).isZero();
        assertThat(picasReset.notBefore()).isZero();

        Token reclaimed = picasReset.claimed(WORKER, "c2", 2000, 2300);
        assertThat(reclaimed.document().get("attempts").asInt()).isZero();
        assertThat(reclaimed.changedByOthers()).isFalse();
        assertThat(reclaimed.attempts()).isZero();
    }

    @Test
    void a_manual_edit_back_to_todo_starts_a_fresh_attempt_budget_but_couchworks_own_retry_keeps_it() {
        Token locked = new Token(todoDoc()).claimed(WORKER, "c1", 1000, 1300);
        Token retried = new Token(locked.document().deepCopy().put("attempts", 1)).requeued(1500, true, null);
        assertThat(retried.changedByOthers()).isFalse();
        assertThat(retried.attempts()).isEqualTo(2);

        Token error = new Token(locked.document().deepCopy().put("attempts", 2)).finished(1100, 3, null, 1, null);
        Token edited = new Token(error.document().deepCopy().put("lock", 0).put("done", 0));
        assertThat(edited.attempts()).isZero();
    }

    @Test
    void a_text_output_goes_to_stdout_tail_and_picas_output_stays_an_object() {
        ObjectNode doc = todoDoc();
        doc.putObject("output");
        Token locked = new Token(doc).claimed(WORKER, "c1", 1000, 1300);
        Token done = locked.finished(1100, 0, Json.MAPPER.getNodeFactory().textNode("hello\n"), 100, null);
        assertThat(done.document().get("output").isObject()).isTrue();
        assertThat(done.document().get("stdout_tail").asText()).isEqualTo("hello\n");

        Token reply = locked.finished(1100, 0, Json.object().put("r", 1), 100, null);
        assertThat(reply.document().get("output").get("r").asInt()).isEqualTo(1);
        assertThat(reply.document().has("stdout_tail")).isFalse();
    }

    @Test
    void a_claim_is_ours_only_while_lock_claim_id_worker_and_claim_lock_agree() {
        Token mine = new Token(todoDoc()).claimed(WORKER, "c1", 1000, 1300);
        assertThat(ClaimOwnership.stillHolds(mine, mine)).isTrue();
        assertThat(ClaimOwnership.stillHolds(mine, new Token(mine.document().deepCopy().put("priority", 9)))).isTrue();
        // PiCaS re-locks a token it saw in a stale todo row: lock = now, claim_id and lease left in place
        Token relocked = new Token(mine.document().deepCopy().put("lock", 1001).put("hostname", "picas"));
        assertThat(ClaimOwnership.stillHolds(mine, relocked)).isFalse();
        assertThat(ClaimOwnership.isCouchworkLease(relocked)).isFalse();
        Token reset = new Token(mine.document().deepCopy().put("lock", 0));
        assertThat(ClaimOwnership.stillHolds(mine, reset)).isFalse();
        Token finished = new Token(mine.document().deepCopy().put("done", 1100).put("exit_code", 0));
        assertThat(ClaimOwnership.stillHolds(mine, finished)).isFalse();
    }
}
