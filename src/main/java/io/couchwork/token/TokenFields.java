package io.couchwork.token;

/** Field names of a token document: PiCaS's, then Couchwork's additions (which PiCaS's views ignore). */
public final class TokenFields {

    // PiCaS
    public static final String TYPE = "type";
    public static final String LOCK = "lock";
    public static final String DONE = "done";
    public static final String HOSTNAME = "hostname";
    public static final String SCRUB_COUNT = "scrub_count";
    public static final String INPUT = "input";
    public static final String EXIT_CODE = "exit_code";
    public static final String OUTPUT = "output";
    public static final String UPLOADS = "uploads";
    public static final String ERROR = "error";
    public static final String ATTACHMENTS = "_attachments";

    // Couchwork
    public static final String PRIORITY = "priority";
    public static final String NOT_BEFORE = "not_before";
    public static final String CREATED = "created";
    public static final String LEASE_UNTIL = "lease_until";
    public static final String WORKER_ID = "worker_id";
    public static final String CLAIM_ID = "claim_id";
    public static final String ATTEMPTS = "attempts";
    public static final String RUN_TIME = "run_time";
    public static final String RUNS = "runs";
    public static final String TIMEOUT = "timeout";
    /** Leases that ran out without a result from their worker: counted apart from attempts (see OutcomeApplier). */
    public static final String LEASE_EXPIRIES = "lease_expiries";
    /** The lock value of Couchwork's own claim: a lock that differs from it is another client's (PiCaS re-locked). */
    public static final String CLAIM_LOCK = "claim_lock";
    /** When the job of the current claim started, written by the start write that proves the claim still holds. */
    public static final String STARTED_AT = "started_at";
    /** The tail of a shell job's stdout, or a job's reply that is not a JSON object: PiCaS's output stays an object. */
    public static final String STDOUT_TAIL = "stdout_tail";
    /**
     * lock, done and scrub_count as Couchwork last wrote them: when they differ, someone else (PiCaS's resetTokens, a
     * manual edit) changed the token's state since, and Couchwork's attempts, lease_expiries and not_before no longer
     * apply.
     */
    public static final String LEFT_AS = "left_as";
    /** Number of a token's executions beyond the one that counted (replicas or nodes that both ran it). */
    public static final String DUPLICATE_EXECUTIONS = "duplicate_executions";
    /** Marks a runs entry whose result another run's had already made: a duplicate execution. */
    public static final String DUPLICATE = "duplicate";

    private TokenFields() {}
}
