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

    private TokenFields() {}
}
