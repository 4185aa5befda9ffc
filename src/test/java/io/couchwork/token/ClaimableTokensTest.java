package io.couchwork.token;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.couchwork.couchdb.Json;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/** The in-memory claim queue: the view's order, revisions, delayed tokens, bounds and the spread between workers. */
class ClaimableTokensTest {

    private static final long NOW = 10_000;

    private static Token token(String id, int generation, long priority, long created) {
        ObjectNode doc = Json.object();
        doc.put("_id", id).put("_rev", generation + "-x").put("type", "token").put("lock", 0).put("done", 0)
                .put("priority", priority).put("created", created);
        return new Token(doc);
    }

    private static Token locked(String id, int generation) {
        ObjectNode doc = token(id, generation, 0, 0).document();
        doc.put("lock", NOW);
        return new Token(doc);
    }

    private static Token delayed(String id, long notBefore) {
        ObjectNode doc = token(id, 1, 0, 0).document();
        doc.put("not_before", notBefore);
        return new Token(doc);
    }

    private static List<String> ids(List<Token> tokens) {
        return tokens.stream().map(Token::id).toList();
    }

    private final ClaimableTokens queue = new ClaimableTokens(Set.of("token"), 100);

    @Test
    void should_hand_out_best_priority_first_then_oldest() {
        queue.offer(token("low", 1, 0, 1));
        queue.offer(token("high-new", 1, 5, 20));
        queue.offer(token("high-old", 1, 5, 10));
        queue.offer(token("negative", 1, -3, 0));

        List<String> order = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            order.addAll(ids(queue.take(1, NOW, new Random(i))));
        }

        assertThat(order.subList(0, 2)).containsExactlyInAnyOrder("high-new", "high-old");
        assertThat(order.subList(2, 4)).containsExactly("low", "negative");
        assertThat(queue.size()).isZero();
    }

    @Test
    void should_drop_tokens_that_are_no_longer_todo_and_ignore_older_revisions() {
        queue.offer(token("a", 1, 0, 0));
        queue.offer(token("b", 3, 0, 0));
        queue.offer(locked("a", 2)); // claimed by someone else
        queue.offer(locked("b", 2)); // an older revision than the one we have: ignored

        assertThat(ids(queue.take(10, NOW, new Random(1)))).containsExactly("b");
    }

    @Test
    void should_forget_deleted_and_foreign_documents() {
        queue.offer(token("a", 1, 0, 0));
        ObjectNode deleted = Json.object().put("_id", "a").put("_rev", "2-y").put("_deleted", true);
        queue.offer(new Token(deleted));
        ObjectNode other = token("c", 1, 0, 0).document().put("type", "other");
        queue.offer(new Token(other));

        assertThat(queue.size()).isZero();
    }

    @Test
    void should_hold_delayed_tokens_until_their_time() {
        queue.offer(delayed("later", NOW + 60));
        queue.offer(delayed("past", NOW - 5));

        assertThat(queue.secondsUntilNextDue(NOW)).hasValue(-5);
        assertThat(ids(queue.take(10, NOW, new Random(1)))).containsExactly("past");
        assertThat(queue.take(10, NOW + 59, new Random(1))).isEmpty();
        assertThat(queue.secondsUntilNextDue(NOW)).hasValue(60);
        assertThat(ids(queue.take(10, NOW + 60, new Random(1)))).containsExactly("later");
    }

    @Test
    void should_keep_the_best_tokens_and_say_it_is_incomplete_when_full() {
        ClaimableTokens small = new ClaimableTokens(Set.of("token"), 3);
        small.markComplete(true);
        assertThat(small.isComplete()).isTrue();
        for (int i = 0; i < 5; i++) {
            small.offer(token("t" + i, 1, i, 0));
        }

        assertThat(small.size()).isEqualTo(3);
        assertThat(small.isComplete()).isFalse();
        assertThat(ids(small.take(3, NOW, new Random(1)))).containsExactlyInAnyOrder("t4", "t3", "t2");
    }

    @Test
    void should_spread_workers_with_the_same_view_over_different_tokens() {
        Set<String> firstPicks = new HashSet<>();
        for (int worker = 0; worker < 20; worker++) {
            ClaimableTokens copy = new ClaimableTokens(Set.of("token"), 100);
            for (int i = 0; i < 300; i++) {
                copy.offer(token("t" + i, 1, 0, i));
            }
            firstPicks.addAll(ids(copy.take(1, NOW, new Random(worker))));
        }

        assertThat(firstPicks).hasSizeGreaterThan(5); // PiCaS's herd: all would take the same first row
        assertThat(firstPicks).allMatch(id -> Integer.parseInt(id.substring(1)) < 100); // among the oldest hundred
    }

    @Test
    void should_put_back_what_a_failed_claim_did_not_take() {
        queue.offer(token("a", 1, 0, 0));
        List<Token> taken = queue.take(1, NOW, new Random(1));
        taken.forEach(queue::offer);

        assertThat(ids(queue.take(1, NOW, new Random(1)))).containsExactly("a");
    }

    @Test
    void should_spread_wider_while_claims_lose_races_and_come_back_when_they_do_not() {
        assertThat(queue.spread()).isEqualTo(100);
        queue.contention(10, 1);
        assertThat(queue.spread()).as("too few claims to judge").isEqualTo(100);
        queue.contention(10, 0); // 1 lost in 20
        assertThat(queue.spread()).isEqualTo(200);
        queue.contention(20, 0);
        assertThat(queue.spread()).isEqualTo(100);
        queue.contention(20, 1);
        queue.contention(40, 1); // 1 in 40: between the bounds, as it is
        assertThat(queue.spread()).isEqualTo(200);
        queue.contention(100, 0);
        assertThat(queue.spread()).isEqualTo(100);

        for (int i = 0; i < 20; i++) {
            queue.contention(20, 20);
        }
        assertThat(queue.spread()).isEqualTo(6400);
    }

    @Test
    void should_judge_a_one_slot_workers_single_claims_together() {
        queue.contention(1, 1);
        for (int i = 0; i < 18; i++) {
            queue.contention(1, 0);
            assertThat(queue.spread()).isEqualTo(100);
        }
        queue.contention(1, 0); // 1 lost in 20
        assertThat(queue.spread()).isEqualTo(200);
    }

    @Test
    void should_take_from_others_shares_their_newest_which_their_owners_come_to_last() {
        ClaimableTokens shared = new ClaimableTokens(Set.of("token"), 1000);
        for (int i = 0; i < 300; i++) {
            shared.offer(token(String.format("t%03d", i), 1, 0, i));
        }
        Predicate<Token> mineOnly = token -> false; // a share, of which nothing is left here

        List<String> stolen = ids(shared.take(5, 5, NOW, new Random(3), mineOnly));

        assertThat(stolen).hasSize(5).allMatch(id -> id.compareTo("t200") >= 0); // among the newest hundred
        List<String> alone = ids(shared.take(5, 5, NOW, new Random(3), ClaimableTokens.NO_SHARE));
        assertThat(alone).hasSize(5).allMatch(id -> id.compareTo("t100") < 0); // no share: among the oldest
    }

    @Test
    void should_take_its_own_share_first_at_a_better_priority_before_others_and_part_anew_when_the_share_changes() {
        ClaimableTokens shared = new ClaimableTokens(Set.of("token"), 1000);
        for (int i = 0; i < 20; i++) {
            shared.offer(token("t" + i, 1, i < 10 ? 1 : 0, i));
        }
        Predicate<Token> evens = token -> Integer.parseInt(token.id().substring(1)) % 2 == 0;
        List<String> first = ids(shared.take(3, 0, NOW, new Random(1), evens));
        assertThat(first).hasSize(3).allMatch(id -> Integer.parseInt(id.substring(1)) % 2 == 0
                && Integer.parseInt(id.substring(1)) < 10);

        Predicate<Token> odds = evens.negate(); // a worker came or went: the share is another
        List<String> next = ids(shared.take(20, 0, NOW, new Random(1), odds));
        // the odd ones of priority 1; not those of priority 0 while others' share still holds better ones
        assertThat(next).containsExactlyInAnyOrder("t1", "t3", "t5", "t7", "t9");
        // idle slots take the others' better ones, then our own of priority 0
        List<Token> rest = shared.take(20, 2, NOW, new Random(1), odds);
        assertThat(rest).hasSize(7).filteredOn(token -> token.priority() == 1).hasSize(2);
        assertThat(ids(rest)).contains("t11", "t13", "t15", "t17", "t19");
        assertThat(shared.size()).isEqualTo(5);
    }

    @Test
    void a_complete_view_read_drops_what_it_no_longer_shows_but_keeps_what_came_meanwhile() {
        queue.offer(token("taken-by-others", 1, 0, 1)); // claimed elsewhere; our feed has not told us yet
        queue.offer(token("still-todo", 1, 0, 2));
        long mark = queue.mark();
        queue.offer(token("new-from-feed", 1, 0, 3)); // arrives while the view is read, and the view misses it

        assertThat(queue.retainOnly(Set.of("still-todo"), mark)).isEqualTo(1);

        assertThat(ids(queue.take(10, NOW, new Random(1)))).containsExactlyInAnyOrder("still-todo", "new-from-feed");
    }
}
