package io.couchwork.token;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/** Periodic tasks on a {@link ScheduledExecutorService}, with a fixed delay between runs. */
final class ScheduledTasks implements PeriodicTasks {

    private final ScheduledExecutorService scheduler;
    private final List<ScheduledFuture<?>> scheduled = new CopyOnWriteArrayList<>();

    ScheduledTasks(ScheduledExecutorService scheduler) {
        this.scheduler = scheduler;
    }

    @Override
    public void every(Duration first, Duration period, Runnable task) {
        scheduled.add(scheduler.scheduleWithFixedDelay(task, first.toMillis(), period.toMillis(),
                TimeUnit.MILLISECONDS));
    }

    @Override
    public void cancelAll() {
        scheduled.forEach(future -> future.cancel(true));
        scheduled.clear();
    }
}
