package io.couchwork.token;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.couchwork.couchdb.Json;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Turning an execution's outcome into the token's next document: done, retry with backoff, error, release. */
class OutcomeApplierTest {

    private static final long STARTED = 100;
    private static final long NOW = 1000;
    private static final WorkerIdentity WORKER = new WorkerIdentity("host1", "host1-1-abcd", Map.of());

    private final RetryPolicy policy = RetryPolicy.of(3, Duration.ofSeconds(10), Duration.ofMinutes(10), Set.of(2));
    private final OutcomeApplier applier = new OutcomeApplier(policy, new Random(1));

    private static ObjectNode lockedDoc() {
        ObjectNode doc = Json.object();
        doc.put("_id", "t1");
        doc.put("_rev", "2-x");
        doc.put("type", "token");
        doc.put("lock", 100);
        doc.put("done", 0);
        doc.put("claim_id", "c1");
        doc.put("lease_until", 400);
        doc.put("input", "a");
        return doc;
    }

    private static Token locked() {
        return new Token(lockedDoc());
    }

    private static Token lockedWithAttempts(int attempts) {
        return new Token(lockedDoc().put("attempts", attempts));
    }

    private Token apply(Token token, Outcome outcome) {
        return applier.apply(token, outcome, STARTED, NOW, WORKER, "c1");
    }

    private static LogAttachment log(String name, String text) {
        return new LogAttachment(name, "text/plain", text.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void should_mark_a_zero_exit_code_done_with_its_output() {
        JsonNode output = Json.object().put("result", 42);
        Token done = apply(locked(), new Outcome.Finished(0, output, List.of(), null));

        ObjectNode doc = done.document();
        assertThat(done.state()).isEqualTo(TokenState.DONE);
        assertThat(doc.get("done").asLong()).isEqualTo(NOW);
        assertThat(doc.get("lock").asLong()).isEqualTo(100);
        assertThat(doc.get("exit_code").asInt()).isZero();
        assertThat(doc.get("output")).isEqualTo(output);
        assertThat(doc.get("lease_until").asLong()).isZero();
        assertThat(doc.get("run_time").asLong()).isEqualTo(NOW - STARTED);
        assertThat(doc.has("error")).isFalse();
        assertThat(doc.get("runs")).hasSize(1);
        JsonNode run = doc.get("runs").get(0);
        assertThat(run.get("outcome").asText()).isEqualTo("done");
        assertThat(run.get("exit_code").asInt()).isZero();
        assertThat(run.get("claim_id").asText()).isEqualTo("c1");
        assertThat(run.get("worker_id").asText()).isEqualTo("host1-1-abcd");
        assertThat(run.get("hostname").asText()).isEqualTo("host1");
        assertThat(run.get("started").asLong()).isEqualTo(STARTED);
        assertThat(run.get("ended").asLong()).isEqualTo(NOW);
    }

    @Test
    void should_not_change_the_token_it_was_given() {
        Token token = locked();
        String before = token.document().toString();
        apply(token, new Outcome.Finished(3, null, List.of(log("stdout.log", "x")), null));
        assertThat(token.document().toString()).isEqualTo(before);
    }

    @Test
    void should_requeue_a_failed_exit_code_while_attempts_are_left() {
        Token retried = apply(locked(), new Outcome.Finished(3, null, List.of(), null));

        ObjectNode doc = retried.document();
        assertThat(retried.state()).isEqualTo(TokenState.TODO);
        assertThat(doc.get("lock").asLong()).isZero();
        assertThat(doc.get("done").asLong()).isZero();
        assertThat(doc.get("lease_until").asLong()).isZero();
        assertThat(doc.get("attempts").asInt()).isEqualTo(1);
        assertThat(doc.get("scrub_count").asInt()).isEqualTo(1);
        assertThat(doc.get("not_before").asLong()).isBetween(NOW + 8, NOW + 10);
        assertThat(doc.has("claim_id")).isFalse();
        assertThat(doc.has("exit_code")).isFalse();
        assertThat(doc.get("input").asText()).isEqualTo("a");

        assertThat(doc.get("error")).hasSize(1);
        JsonNode error = doc.get("error").get(0);
        assertThat(error.get("time").asLong()).isEqualTo(NOW);
        assertThat(error.get("message").asText()).isEqualTo("exit code 3");
        assertThat(error.get("exception").asText()).isEqualTo("ExitCode3");

        assertThat(doc.get("runs")).hasSize(1);
        assertThat(doc.get("runs").get(0).get("outcome").asText()).isEqualTo("retry");
        assertThat(doc.get("runs").get(0).get("exit_code").asInt()).isEqualTo(3);
    }

    @Test
    void should_wait_at_least_a_second_before_a_retry_even_without_a_delay() {
        OutcomeApplier noDelay = new OutcomeApplier(
                RetryPolicy.of(3, Duration.ZERO, Duration.ZERO, Set.of()), new Random(1));
        Token retried = noDelay.apply(locked(), new Outcome.Finished(3, null, List.of(), null), STARTED, NOW, WORKER,
                "c1");
        assertThat(retried.notBefore()).isEqualTo(NOW + 1);
    }

    @Test
    void should_back_off_longer_after_each_failed_attempt() {
        Token second = apply(lockedWithAttempts(1), new Outcome.Finished(3, null, List.of(), null));
        assertThat(second.attempts()).isEqualTo(2);
        assertThat(second.notBefore()).isBetween(NOW + 16, NOW + 20);
    }

    @Test
    void should_use_the_failure_message_and_keep_the_output_of_a_failed_run() {
        JsonNode output = Json.object().put("partial", true);
        Token retried = apply(locked(), new Outcome.Finished(5, output, List.of(), "exit code 5: disk full"));
        assertThat(retried.document().get("error").get(0).get("message").asText()).isEqualTo("exit code 5: disk full");
        assertThat(retried.document().get("output")).isEqualTo(output);
    }

    @Test
    void should_mark_a_failed_exit_code_error_when_attempts_are_used_up() {
        Token failed = apply(lockedWithAttempts(2), new Outcome.Finished(3, null, List.of(), null));

        ObjectNode doc = failed.document();
        assertThat(failed.state()).isEqualTo(TokenState.ERROR);
        assertThat(doc.get("exit_code").asInt()).isEqualTo(3);
        assertThat(doc.get("attempts").asInt()).isEqualTo(3);
        assertThat(doc.get("done").asLong()).isEqualTo(NOW);
        assertThat(doc.get("lock").asLong()).isEqualTo(100);
        assertThat(doc.get("lease_until").asLong()).isZero();
        assertThat(doc.get("error")).hasSize(1);
        assertThat(doc.get("error").get(0).get("exception").asText()).isEqualTo("ExitCode3");
        assertThat(doc.get("runs").get(0).get("outcome").asText()).isEqualTo("error");
        assertThat(doc.get("runs").get(0).get("exit_code").asInt()).isEqualTo(3);
    }

    @Test
    void should_send_a_non_retryable_failure_straight_to_error() {
        Token failed = apply(locked(), new Outcome.Failed("field 'x' missing", "TokenFieldMissingException", false,
                List.of()));

        ObjectNode doc = failed.document();
        assertThat(failed.state()).isEqualTo(TokenState.ERROR);
        assertThat(doc.get("exit_code").asInt()).isEqualTo(-1);
        assertThat(doc.get("attempts").asInt()).isEqualTo(1);
        JsonNode error = doc.get("error").get(0);
        assertThat(error.get("message").asText()).isEqualTo("field 'x' missing");
        assertThat(error.get("exception").asText()).isEqualTo("TokenFieldMissingException");
        JsonNode run = doc.get("runs").get(0);
        assertThat(run.get("outcome").asText()).isEqualTo("error");
        assertThat(run.has("exit_code")).isFalse();
    }

    @Test
    void should_requeue_a_retryable_failure_while_attempts_are_left() {
        Token retried = apply(locked(), new Outcome.Failed("connection reset", "IOException", true, List.of()));
        assertThat(retried.state()).isEqualTo(TokenState.TODO);
        assertThat(retried.attempts()).isEqualTo(1);
        assertThat(retried.document().get("error").get(0).get("exception").asText()).isEqualTo("IOException");
        assertThat(retried.document().get("runs").get(0).has("exit_code")).isFalse();
    }

    @Test
    void should_send_a_non_retryable_exit_code_straight_to_error() {
        Token failed = apply(locked(), new Outcome.Finished(2, null, List.of(), null));
        assertThat(failed.state()).isEqualTo(TokenState.ERROR);
        assertThat(failed.document().get("exit_code").asInt()).isEqualTo(2);
        assertThat(failed.attempts()).isEqualTo(1);
    }

    @Test
    void should_release_a_token_without_counting_an_attempt() {
        Token released = apply(lockedWithAttempts(1), new Outcome.Released("shutdown"));

        ObjectNode doc = released.document();
        assertThat(released.state()).isEqualTo(TokenState.TODO);
        assertThat(doc.get("attempts").asInt()).isEqualTo(1);
        assertThat(doc.has("scrub_count")).isFalse();
        assertThat(doc.has("error")).isFalse();
        assertThat(doc.get("not_before").asLong()).isZero();
        assertThat(doc.has("claim_id")).isFalse();
        assertThat(doc.get("runs").get(0).get("outcome").asText()).isEqualTo("released: shutdown");
    }

    @Test
    void should_attach_logs_inline_and_keep_existing_attachment_stubs() {
        ObjectNode doc = lockedDoc();
        ObjectNode stub = doc.putObject("_attachments").putObject("input.dat");
        stub.put("content_type", "application/octet-stream");
        stub.put("stub", true);
        stub.put("length", 12);
        stub.put("digest", "md5-abc");

        Token done = apply(new Token(doc), new Outcome.Finished(0, null,
                List.of(log("stdout.log", "hello\n"), log("stderr.log", "")), null));

        JsonNode attachments = done.document().get("_attachments");
        assertThat(attachments.get("input.dat")).isEqualTo(stub);
        assertThat(attachments.get("stdout.log").get("content_type").asText()).isEqualTo("text/plain");
        assertThat(attachments.get("stdout.log").get("data").asText())
                .isEqualTo(Base64.getEncoder().encodeToString("hello\n".getBytes(StandardCharsets.UTF_8)));
        assertThat(new String(Base64.getDecoder().decode(attachments.get("stdout.log").get("data").asText()),
                StandardCharsets.UTF_8)).isEqualTo("hello\n");
        assertThat(attachments.get("stderr.log").get("data").asText()).isEmpty();
    }

    @Test
    void should_attach_logs_of_a_failed_run_too() {
        Token retried = apply(locked(), new Outcome.Failed("boom", "RuntimeException", true,
                List.of(log("stderr.log", "trace"))));
        assertThat(retried.document().at("/_attachments/stderr.log/data").asText())
                .isEqualTo(Base64.getEncoder().encodeToString("trace".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void should_requeue_a_token_whose_lease_expired_without_counting_an_attempt_or_an_error() {
        ObjectNode doc = lockedDoc().put("worker_id", "w9").put("hostname", "node7").put("attempts", 1);
        doc.putArray("error").addObject().put("message", "exit code 3");
        Token reaped = applier.leaseExpired(new Token(doc), NOW);

        ObjectNode out = reaped.document();
        assertThat(reaped.state()).isEqualTo(TokenState.TODO);
        assertThat(out.get("attempts").asInt()).as("only what the job did counts").isEqualTo(1);
        assertThat(out.get("error")).as("the job's own error only").hasSize(1);
        assertThat(out.get("lease_expiries").asInt()).isEqualTo(1);
        assertThat(out.has("claim_id")).isFalse();
        assertThat(out.get("not_before").asLong()).isBetween(NOW + 8, NOW + 10);
        JsonNode run = out.get("runs").get(0);
        assertThat(run.get("outcome").asText()).isEqualTo("lease expired");
        assertThat(run.get("claim_id").asText()).isEqualTo("c1");
        assertThat(run.get("worker_id").asText()).isEqualTo("w9");
        assertThat(run.get("hostname").asText()).isEqualTo("node7");
        assertThat(run.get("started").asLong()).isEqualTo(100);
        assertThat(run.get("ended").asLong()).isEqualTo(NOW);
    }

    @Test
    void should_never_put_a_token_in_error_for_expired_leases_before_their_own_budget() {
        Token token = lockedWithAttempts(2); // one attempt left: an expiry must not use it up
        for (int expiry = 1; expiry < 5; expiry++) {
            token = applier.leaseExpired(token, NOW);
            assertThat(token.state()).isEqualTo(TokenState.TODO);
            assertThat(token.leaseExpiries()).isEqualTo(expiry);
            assertThat(token.attempts()).isEqualTo(2);
            token = token.claimed(WORKER, "c" + expiry, NOW, NOW + 300);
        }
        assertThat(token.document().path("error").size()).isZero();
    }

    @Test
    void should_mark_a_token_whose_leases_keep_expiring_error_with_one_entry_saying_so() {
        OutcomeApplier strict = new OutcomeApplier(policy, 2, new Random(1));
        ObjectNode doc = lockedDoc().put("worker_id", "w9").put("hostname", "node7").put("lease_expiries", 1);
        Token reaped = strict.leaseExpired(new Token(doc), NOW);

        ObjectNode out = reaped.document();
        assertThat(reaped.state()).isEqualTo(TokenState.ERROR);
        assertThat(out.get("exit_code").asInt()).isEqualTo(-1);
        assertThat(out.get("lease_expiries").asInt()).isEqualTo(2);
        assertThat(out.path("attempts").asInt()).isZero();
        assertThat(out.get("done").asLong()).isEqualTo(NOW);
        assertThat(out.get("run_time").asLong()).isEqualTo(NOW - 100);
        assertThat(out.get("error")).hasSize(1);
        assertThat(out.get("error").get(0).get("exception").asText()).isEqualTo("LeaseExpired");
        assertThat(out.get("error").get(0).get("message").asText())
                .contains("2 times", "max-lease-expiries", "400", "w9", "node7");
        assertThat(out.get("runs").get(0).get("outcome").asText()).isEqualTo("lease expired");
    }

    @Test
    void should_forgive_the_expiry_of_a_lease_whose_worker_came_back_with_the_result() {
        Token reaped = applier.leaseExpired(locked(), NOW);
        assertThat(reaped.withoutLeaseExpiryOf("c1").leaseExpiries()).isZero();
        assertThat(reaped.withoutLeaseExpiryOf("other").leaseExpiries()).isEqualTo(1);
    }
}
