package io.couchwork.token;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A run's pilot mode: the limits all token workers of the app share (one claim budget, one idle timer, one deadline),
 * told by the workers what they claim, run and finish, and deciding when and why the run ends; {@code onEnd} stops the
 * app.
 */
public final class Pilot {

    private static final Logger LOG = LoggerFactory.getLogger(Pilot.class);

    private final PilotLimits limits;
    private final Clock clock;
    private final Consumer<PilotEnd> onEnd;
    private final Set<Object> workers = new HashSet<>();
    private final Set<Object> finished = new HashSet<>();
    private int claimsLeft;
    private int running;
    private Instant idleSince;
    private volatile boolean workLeftTooLong;
    private volatile PilotEnd end;

    public Pilot(PilotLimits limits, Clock clock, Consumer<PilotEnd> onEnd) {
        this.limits = limits;
        this.clock = clock;
        this.onEnd = onEnd;
        this.claimsLeft = limits.maxTokens();
        this.idleSince = clock.instant();
    }

    /** No pilot mode: the worker runs until it is stopped. */
    public static Pilot none(Clock clock) {
        return new Pilot(PilotLimits.NONE, clock, end -> { });
    }

    public PilotLimits limits() {
        return limits;
    }

    /** A token worker serves this run; the run is drained when each worker that joined is. */
    public synchronized void join(Object worker) {
        workers.add(worker);
    }

    /** Takes up to {@code wanted} claims from the budget; what was not claimed goes back with {@link #giveBack}. */
    public synchronized int reserve(int wanted) {
        if (limits.maxTokens() <= 0) {
            return wanted;
        }
        int granted = Math.min(wanted, claimsLeft);
        claimsLeft -= granted;
        return granted;
    }

    public synchronized void giveBack(int unclaimed) {
        if (limits.maxTokens() > 0) {
            claimsLeft += unclaimed;
        }
    }

    /** Whether the budget of claims is spent. */
    public synchronized boolean claimsSpent() {
        return limits.maxTokens() > 0 && claimsLeft <= 0;
    }

    /** Whether the token would end before the time limit (see {@link PilotLimits#fits}); one that would not is work left. */
    public boolean fits(Token token) {
        boolean fits = limits.fits(token, clock.instant());
        if (!fits) {
            workLeftTooLong = true;
        }
        return fits;
    }

    /** A claimed token now occupies the worker. */
    public synchronized void jobClaimed() {
        running++;
    }

    /** A claimed token is done with (run, released or failed): when none is left the idle timer starts. */
    public synchronized void jobFinished() {
        if (--running == 0) {
            idleSince = clock.instant();
        }
    }

    /**
     * A worker claims no more (drained, or the budget is spent) and its jobs are done; when every worker is, the run
     * ends: with its tokens done, drained, or with work left that did not fit the time.
     */
    public void workerFinished(Object worker) {
        boolean all;
        synchronized (this) {
            finished.add(worker);
            all = finished.containsAll(workers);
        }
        if (all) {
            end(claimsSpent() ? PilotEnd.MAX_TOKENS : workLeftTooLong ? PilotEnd.TIME_LIMIT : PilotEnd.DRAINED);
        }
    }

    /** Ends the run when its time is up or it has been idle for the idle timeout; the workers call it periodically. */
    public void check() {
        Instant now = clock.instant();
        Instant stopAt = limits.stopAt();
        if (stopAt != null && !now.isBefore(stopAt)) {
            end(PilotEnd.TIME_LIMIT);
            return;
        }
        boolean idle;
        synchronized (this) {
            idle = running == 0 && !limits.idleTimeout().isZero()
                    && !now.isBefore(idleSince.plus(limits.idleTimeout()));
        }
        if (idle) {
            end(PilotEnd.IDLE_TIMEOUT);
        }
    }

    /** How long running jobs get to finish when the app stops: the shutdown grace, cut short by the time limit. */
    public Duration grace(Duration shutdownGrace) {
        Instant stopAt = limits.stopAt();
        if (stopAt == null) {
            return shutdownGrace;
        }
        Duration left = Duration.between(clock.instant(), stopAt);
        return left.isNegative() ? Duration.ZERO : left.compareTo(shutdownGrace) < 0 ? left : shutdownGrace;
    }

    /** Why the run ended, once it has. */
    public Optional<PilotEnd> end() {
        return Optional.ofNullable(end);
    }

    private void end(PilotEnd why) {
        synchronized (this) {
            if (end != null) {
                return;
            }
            end = why;
        }
        LOG.info("Pilot ends: {} (exit code {})", why.description(), why.exitCode().code());
        onEnd.accept(why);
    }
}
