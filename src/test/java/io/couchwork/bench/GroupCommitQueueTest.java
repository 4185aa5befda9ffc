package io.couchwork.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class GroupCommitQueueTest {

    private final List<Long> committed = new ArrayList<>();
    private final List<Long> overruns = new ArrayList<>();
    private final GroupCommitQueue queue = new GroupCommitQueue(10, committed::add, overruns::add);

    @Test
    void should_commit_a_write_to_an_idle_updater_at_once_for_its_fixed_and_document_cost() {
        GroupCommitQueue.Group group = queue.join(100, 3);

        assertThat(group.start).isEqualTo(100);
        assertThat(queue.end(group, 100)).isEqualTo(113);
        assertThat(committed).containsExactly(13L);
    }

    @Test
    void should_commit_the_writes_that_waited_together_paying_the_fixed_cost_once() {
        GroupCommitQueue.Group first = queue.join(0, 2); // commits 0..12
        GroupCommitQueue.Group second = queue.join(5, 3);
        GroupCommitQueue.Group third = queue.join(11, 4);

        assertThat(second).isSameAs(third);
        assertThat(second.start).isEqualTo(12);
        assertThat(queue.end(second, 12)).isEqualTo(12 + 10 + 3 + 4);
        assertThat(queue.end(first, 12)).isEqualTo(12);
        assertThat(committed).containsExactly(12L, 17L);
    }

    @Test
    void should_put_a_write_that_arrives_after_a_commit_started_into_the_next_commit() {
        queue.join(0, 0); // 0..10
        GroupCommitQueue.Group waiting = queue.join(5, 0); // 10..20
        GroupCommitQueue.Group late = queue.join(10, 1); // arrives as the waiting group starts

        assertThat(late).isNotSameAs(waiting);
        assertThat(queue.end(waiting, 10)).isEqualTo(20);
        assertThat(late.start).isEqualTo(20);
        assertThat(queue.end(late, 20)).isEqualTo(31);
    }

    @Test
    void should_start_over_idle_when_the_last_commit_is_over() {
        queue.join(0, 0);
        GroupCommitQueue.Group later = queue.join(50, 0);

        assertThat(later.start).isEqualTo(50);
        assertThat(queue.end(later, 50)).isEqualTo(60);
    }

    @Test
    void should_count_how_long_the_servers_last_answer_of_a_group_ran_past_its_commit() {
        queue.join(0, 0); // 0..10
        GroupCommitQueue.Group group = queue.join(1, 0);
        queue.join(2, 0);
        queue.end(group, 10); // 10..20
        queue.answered(group, 18);
        assertThat(overruns).isEmpty();
        queue.answered(group, 27);

        assertThat(overruns).containsExactly(7L);
    }

    @Test
    void should_count_each_busy_instant_once_when_the_servers_answers_run_past_later_commits() {
        GroupCommitQueue.Group first = queue.join(0, 0); // 0..10
        GroupCommitQueue.Group second = queue.join(5, 0); // 10..20
        queue.end(first, 0);
        queue.end(second, 10);
        queue.answered(first, 25); // the server answered the first group after the second's modelled commit
        queue.answered(second, 30);

        assertThat(committed.stream().mapToLong(Long::longValue).sum()
                + overruns.stream().mapToLong(Long::longValue).sum()).isEqualTo(30);
        assertThat(overruns).containsExactly(5L, 5L);
    }
}
