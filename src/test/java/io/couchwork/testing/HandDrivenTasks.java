package io.couchwork.testing;

import io.couchwork.token.PeriodicTasks;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/** Periodic tasks a test runs by moving a {@link MutableClock}: each runs on the test's thread when it comes due. */
public final class HandDrivenTasks implements PeriodicTasks {

    private final MutableClock clock;
    private final List<Scheduled> tasks = new ArrayList<>();

    private static final class Scheduled {
        final Runnable task;
        final Duration period;
        Instant next;

        Scheduled(Runnable task, Duration period, Instant next) {
            this.task = task;
            this.period = period;
            this.next = next;
        }
    }

    public HandDrivenTasks(MutableClock clock) {
        this.clock = clock;
    }

    @Override
    public synchronized void every(Duration first, Duration period, Runnable task) {
        tasks.add(new Scheduled(task, period, clock.instant().plus(first)));
    }

    @Override
    public synchronized void cancelAll() {
        tasks.clear();
    }

    /** Moves the clock forward by {@code duration}, stopping at each task's due time to run it, in order. */
    public void advance(Duration duration) {
        Instant end = clock.instant().plus(duration);
        for (Optional<Scheduled> due = nextDue(end); due.isPresent(); due = nextDue(end)) {
            Scheduled scheduled = due.get();
            if (scheduled.next.isAfter(clock.instant())) {
                clock.set(scheduled.next);
            }
            scheduled.task.run();
            scheduled.next = clock.instant().plus(scheduled.period);
        }
        clock.set(end);
    }

    private synchronized Optional<Scheduled> nextDue(Instant end) {
        return tasks.stream().filter(t -> !t.next.isAfter(end)).min(Comparator.comparing(t -> t.next));
    }
}
