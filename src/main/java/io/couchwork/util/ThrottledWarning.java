package io.couchwork.util;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Consumer;
import org.slf4j.Logger;

/**
 * A warning about a failure that repeats on a schedule (a database that is gone, a server that is down): logged at the
 * first failure, then at most once per interval with the number of failures since, and once when it works again.
 */
public final class ThrottledWarning {

    private final Consumer<String> warn;
    private final Consumer<String> info;
    private final Duration interval;
    private final Clock clock;
    private Instant lastLogged;
    private int suppressed;
    private boolean failing;

    public ThrottledWarning(Logger log, Duration interval, Clock clock) {
        this(log::warn, log::info, interval, clock);
    }

    public ThrottledWarning(Consumer<String> warn, Consumer<String> info, Duration interval, Clock clock) {
        this.warn = warn;
        this.info = info;
        this.interval = interval;
        this.clock = clock;
    }

    public synchronized void failed(String message) {
        Instant now = clock.instant();
        if (!failing || lastLogged == null || !now.isBefore(lastLogged.plus(interval))) {
            warn.accept(suppressed == 0 ? message : message + " (failed " + (suppressed + 1) + " times since the last warning)");
            lastLogged = now;
            suppressed = 0;
        } else {
            suppressed++;
        }
        failing = true;
    }

    public synchronized void succeeded(String message) {
        if (failing) {
            info.accept(message);
        }
        failing = false;
        suppressed = 0;
    }
}
