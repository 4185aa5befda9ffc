package io.couchwork;

/**
 * Process exit codes of the couchwork command, following sysexits.h where one fits. A pilot ({@code run} with a stop
 * condition) ends with {@link #OK} once the pool is drained or its tokens are done, {@link #IDLE_TIMEOUT} after a
 * while with nothing to run, and {@link #TIME_LIMIT} when time ran out with work left: resubmit.
 */
public enum ExitCode {
    OK(0),
    FAILURE(1),
    USAGE(2),
    /** A pilot found nothing to run for its idle timeout. */
    IDLE_TIMEOUT(3),
    UNAVAILABLE(69),
    /** A pilot stopped by its time limit with work left (sysexits' EX_TEMPFAIL: try again later). */
    TIME_LIMIT(75),
    NO_PERMISSION(77),
    CONFIGURATION(78);

    private final int code;

    ExitCode(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }
}
