package io.couchwork.token;

import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;

/** Where a worker's periodic tasks run: lease renewals and checks, reaping, presence refreshes. */
public interface PeriodicTasks {

    /** Runs {@code task} after {@code first}, then again {@code period} after each run ends. */
    void every(Duration first, Duration period, Runnable task);

    /** Stops every task; a run in progress is interrupted. */
    void cancelAll();

    /** Tasks on a scheduler's threads. */
    static PeriodicTasks on(ScheduledExecutorService scheduler) {
        return new ScheduledTasks(scheduler);
    }
}
