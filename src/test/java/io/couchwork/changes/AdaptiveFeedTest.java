package io.couchwork.changes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.EOFException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** The feed switches between its continuous and longpoll readers by the crowd, from the last sequence delivered. */
class AdaptiveFeedTest {

    /** A feed that numbers its changes on from where it was opened, and records how it was used. */
    private static class CountingFeed implements ChangesFeed {
        final List<String> opened = new ArrayList<>();
        int closed;
        private long next;
        private boolean open;

        @Override
        public void open(String since) {
            opened.add(since);
            next = Long.parseLong(since) + 1;
            open = true;
        }

        @Override
        public Batch next(int max) {
            assertThat(open).as("read while open").isTrue();
            String seq = Long.toString(next++);
            return new Batch(List.of(new Change(seq, null)), seq);
        }

        @Override
        public void close() {
            closed++;
            open = false;
        }
    }

    @Test
    void reads_continuously_alone_and_by_longpoll_in_a_crowd_without_losing_or_repeating_a_change() throws Exception {
        CountingFeed alone = new CountingFeed();
        CountingFeed shared = new CountingFeed();
        AtomicBoolean crowded = new AtomicBoolean();
        AdaptiveFeed feed = new AdaptiveFeed(alone, shared, crowded::get);

        feed.open("0");
        List<String> seqs = new ArrayList<>();
        seqs.add(feed.next(10).lastSeq());
        seqs.add(feed.next(10).lastSeq());
        crowded.set(true);
        seqs.add(feed.next(10).lastSeq());
        assertThat(feed.current()).isSameAs(shared);
        crowded.set(false);
        seqs.add(feed.next(10).lastSeq());

        assertThat(seqs).containsExactly("1", "2", "3", "4");
        assertThat(alone.opened).containsExactly("0", "3");
        assertThat(shared.opened).containsExactly("2");
        assertThat(alone.closed).isEqualTo(1);
        assertThat(shared.closed).isEqualTo(1);
    }

    @Test
    void opens_the_reader_the_crowd_calls_for_and_reopens_from_where_it_is_asked() throws Exception {
        CountingFeed alone = new CountingFeed();
        CountingFeed shared = new CountingFeed();
        AdaptiveFeed feed = new AdaptiveFeed(alone, shared, () -> true);
        feed.open("7");
        assertThat(feed.next(10).lastSeq()).isEqualTo("8");
        feed.open("7"); // after a failure the follower reopens from its own last sequence
        assertThat(feed.next(10).lastSeq()).isEqualTo("8");
        assertThat(alone.opened).isEmpty();
    }

    @Test
    void a_feed_closed_while_switching_ends_instead_of_reading_on() {
        CountingFeed alone = new CountingFeed();
        CountingFeed shared = new CountingFeed();
        AtomicBoolean crowded = new AtomicBoolean();
        AdaptiveFeed[] feed = new AdaptiveFeed[1];
        CountingFeed closingShared = new CountingFeed() {
            @Override
            public void open(String since) {
                super.open(since);
                feed[0].close(); // the follower stops just as the switch opens the other reader
            }
        };
        feed[0] = new AdaptiveFeed(alone, closingShared, crowded::get);
        feed[0].open("0");
        crowded.set(true);
        assertThatThrownBy(() -> feed[0].next(10)).isInstanceOf(EOFException.class);
        assertThat(closingShared.closed).isGreaterThanOrEqualTo(1);
        assertThat(shared.opened).isEmpty();
    }
}
