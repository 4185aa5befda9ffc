package io.couchwork.token;

import io.couchwork.ExitCode;

/** Why a pilot ended, and the exit code that tells its script. */
public enum PilotEnd {
    /** Nothing left this worker may claim, and its jobs are done. */
    DRAINED(ExitCode.OK, "the pool is drained"),
    /** Claimed its maximum of tokens and ran them. */
    MAX_TOKENS(ExitCode.OK, "its maximum of tokens is done"),
    /** Nothing to run for the idle timeout. */
    IDLE_TIMEOUT(ExitCode.IDLE_TIMEOUT, "nothing to run for the idle timeout"),
    /** The time limit came, or what is left does not fit the time left. */
    TIME_LIMIT(ExitCode.TIME_LIMIT, "the time limit leaves no time for the work left");

    private final ExitCode exitCode;
    private final String description;

    PilotEnd(ExitCode exitCode, String description) {
        this.exitCode = exitCode;
        this.description = description;
    }

    public ExitCode exitCode() {
        return exitCode;
    }

    public String description() {
        return description;
    }
}
