package io.couchwork.token;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.couchwork.couchdb.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Shares of the pool by rendezvous hashing over the workers seen in the feed. */
class ClaimSharesTest {

    private static final long NOW = 1_000_000;

    private static Token token(String id, String state, String worker) {
        ObjectNode doc = Json.MAPPER.createObjectNode().put("_id", id).put("_rev", "1-a").put("type", "token");
        doc.put("lock", state.equals("todo") ? 0 : 5).put("done", state.equals("done") ? 6 : 0).put("exit_code", 0);
        if (worker != null) {
            doc.put("worker_id", worker);
        }
        return new Token(doc);
    }

    /** One ClaimShares per worker, each having seen every worker write a token at NOW. */
    private static List<ClaimShares> seeingEachOther(List<String> ids, long livenessMillis) {
        List<ClaimShares> workers = new ArrayList<>();
        for (String self : ids) {
            ClaimShares shares = new ClaimShares(self, livenessMillis);
            for (String other : ids) {
                shares.saw(token("x-" + other, "locked", other), NOW);
            }
            workers.add(shares);
        }
        return workers;
    }

    private static List<Token> todo(int n) {
        return IntStream.range(0, n).mapToObj(i -> token(String.format("t%04d", i), "todo", null)).toList();
    }

    @Test
    void a_worker_that_has_seen_no_other_has_no_share_and_picks_at_random() {
        ClaimShares shares = new ClaimShares("a", 10_000);
        assertThat(todo(100)).noneMatch(shares.mine(NOW));
    }

    @Test
    void workers_that_see_each_other_split_the_pool_without_overlap() {
        List<ClaimShares> workers = seeingEachOther(List.of("a", "b", "c"), 10_000);
        List<Token> pool = todo(3000);
        List<Predicate<Token>> mine = workers.stream().map(s -> s.mine(NOW)).toList();
        for (Token t : pool) {
            assertThat(mine.stream().filter(m -> m.test(t)).count()).as(t.id()).isEqualTo(1);
        }
        for (Predicate<Token> m : mine) {
            assertThat(pool.stream().filter(m).count()).isBetween(850L, 1150L);
        }
    }

    @Test
    void workers_that_see_each_other_take_turns_at_a_pool_wide_chore_one_per_period() {
        List<ClaimShares> workers = seeingEachOther(List.of("c", "a", "b"), 100_000);
        int[] turns = new int[workers.size()];
        for (long period = 0; period < 30; period++) {
            long at = NOW + period * 1000 + 500; // each worker's schedule fires once within each period
            int taken = 0;
            for (int w = 0; w < workers.size(); w++) {
                if (workers.get(w).isTurn("token", at, 1000)) {
                    taken++;
                    turns[w]++;
                }
            }
            assertThat(taken).as("workers taking period %d", period).isEqualTo(1);
        }
        assertThat(turns).containsOnly(10);
    }

    @Test
    void a_worker_alone_takes_every_turn() {
        ClaimShares alone = new ClaimShares("a", 10_000);
        assertThat(IntStream.range(0, 10).filter(p -> alone.isTurn("token", NOW + p * 1000L, 1000))).hasSize(10);
    }

    @Test
    void a_worker_that_stopped_writing_drops_out_and_its_share_falls_to_the_others() {
        ClaimShares shares = new ClaimShares("a", 10_000);
        shares.saw(token("x", "locked", "b"), NOW);
        assertThat(shares.alive("token", NOW + 5_000)).containsExactly("a", "b");
        assertThat(todo(200).stream().filter(shares.mine(NOW + 5_000)).count()).isBetween(60L, 140L);

        assertThat(shares.alive("token", NOW + 20_000)).containsExactly("a");
        assertThat(todo(200)).noneMatch(shares.mine(NOW + 20_000));
    }

    @Test
    void todo_tokens_and_other_types_say_nothing_about_who_is_alive() {
        ClaimShares shares = new ClaimShares("a", 10_000);
        shares.saw(token("x", "todo", "b"), NOW); // reset by an operator: b may be long gone
        ObjectNode other = Json.MAPPER.createObjectNode().put("_id", "y").put("type", "image").put("lock", 5)
                .put("done", 0).put("worker_id", "c");
        shares.saw(new Token(other), NOW);
        assertThat(shares.alive("token", NOW)).containsExactly("a");
        assertThat(shares.alive("image", NOW)).containsExactly("a", "c");
    }

    @Test
    void the_claim_queue_takes_from_its_own_share_first_among_the_oldest() {
        ClaimableTokens queue = new ClaimableTokens(Set.of("token"), 1000);
        todo(50).forEach(queue::offer);
        ClaimShares shares = new ClaimShares("a", 10_000);
        shares.saw(token("x", "locked", "b"), NOW);
        Predicate<Token> mine = shares.mine(NOW);
        List<String> ownOldest = todo(50).stream().filter(mine).map(Token::id).limit(20).toList();

        List<Token> taken = queue.take(5, 0, new Random(1), mine);

        assertThat(taken).hasSize(5).allMatch(mine).extracting(Token::id).isSubsetOf(ownOldest);
    }

    @Test
    void others_shares_give_at_most_what_idle_slots_take() {
        ClaimShares shares = new ClaimShares("a", 10_000);
        shares.saw(token("x", "locked", "b"), NOW);
        Predicate<Token> mine = shares.mine(NOW);
        ClaimableTokens others = new ClaimableTokens(Set.of("token"), 1000);
        todo(50).stream().filter(mine.negate()).forEach(others::offer);

        assertThat(others.take(5, 0, 0, new Random(1), mine)).isEmpty();
        assertThat(others.take(5, 2, 0, new Random(1), mine)).hasSize(2).noneMatch(mine);

        ClaimableTokens all = new ClaimableTokens(Set.of("token"), 1000);
        todo(50).forEach(all::offer);
        long own = todo(50).stream().filter(mine).count();
        assertThat(all.take(100, 0, 0, new Random(1), mine)).hasSize((int) own).allMatch(mine);
    }

    @Test
    void workers_announced_by_their_presence_count_before_they_write_anything_and_only_for_their_types() {
        ClaimShares shares = new ClaimShares("a", 10_000);
        shares.announced(new WorkerPresence.Announced("b", List.of("token"), NOW + 5_000, false), NOW);
        shares.announced(new WorkerPresence.Announced("c", List.of("image"), NOW + 5_000, false), NOW);

        assertThat(shares.alive("token", NOW)).containsExactly("a", "b");
        assertThat(shares.alive("image", NOW)).containsExactly("a", "c");
        assertThat(todo(200).stream().filter(shares.mine(NOW)).count()).isBetween(60L, 140L);
        assertThat(shares.alive("token", NOW + 5_000)).containsExactly("a"); // its presence expired unrefreshed
    }

    @Test
    void a_withdrawn_worker_stops_counting_at_once_even_where_its_last_writes_arrive_later() {
        ClaimShares shares = new ClaimShares("a", 10_000);
        shares.saw(token("x", "locked", "b"), NOW);
        shares.announced(new WorkerPresence.Announced("b", List.of("token"), NOW + 5_000, false), NOW);
        assertThat(shares.alive("token", NOW)).containsExactly("a", "b");

        shares.announced(new WorkerPresence.Announced("b", List.of(), 0, true), NOW + 1);
        shares.saw(token("y", "done", "b"), NOW + 2); // its last result, behind the deletion in a lagging read

        assertThat(shares.alive("token", NOW + 2)).containsExactly("a");
        assertThat(todo(50)).noneMatch(shares.mine(NOW + 2));
    }

    @Test
    void a_presence_document_and_its_deletion_read_as_announcements() {
        ObjectNode doc = Json.MAPPER.createObjectNode().put("_id", WorkerPresence.ID_PREFIX + "host-1-ab")
                .put("type", WorkerPresence.TYPE).put("alive_until", 1_000);
        doc.putArray("types").add("token").add("image");
        assertThat(WorkerPresence.read(doc)).contains(
                new WorkerPresence.Announced("host-1-ab", List.of("token", "image"), 1_000_000, false));
        ObjectNode stub = Json.MAPPER.createObjectNode().put("_id", WorkerPresence.ID_PREFIX + "host-1-ab")
                .put("_deleted", true);
        assertThat(WorkerPresence.read(stub)).contains(new WorkerPresence.Announced("host-1-ab", List.of(), 0, true));
        assertThat(WorkerPresence.read(token("t1", "todo", null).document())).isEmpty();
    }
}
