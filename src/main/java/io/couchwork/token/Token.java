package io.couchwork.token;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A token document, read and changed as a JSON tree so that every field a user or PiCaS put there survives. Each change
 * returns a new Token and checks the state transition table.
 */
public final class Token {

    /** How many entries of run history a token keeps. */
    static final int MAX_RUNS = 20;

    private final ObjectNode doc;

    public Token(ObjectNode doc) {
        this.doc = doc;
    }

    public ObjectNode document() {
        return doc;
    }

    public String id() {
        return doc.path("_id").asText();
    }

    public String rev() {
        return doc.path("_rev").asText(null);
    }

    public String type() {
        return doc.path(TokenFields.TYPE).asText("");
    }

    public TokenState state() {
        return TokenState.of(doc);
    }

    public long priority() {
        return doc.path(TokenFields.PRIORITY).isNumber() ? doc.get(TokenFields.PRIORITY).asLong() : 0;
    }

    public long notBefore() {
        return number(TokenFields.NOT_BEFORE);
    }

    public long created() {
        return number(TokenFields.CREATED);
    }

    public long leaseUntil() {
        return number(TokenFields.LEASE_UNTIL);
    }

    public long lock() {
        return number(TokenFields.LOCK);
    }

    public int attempts() {
        return (int) number(TokenFields.ATTEMPTS);
    }

    /** Times a lease on this token ran out without a result (its worker died, hung or lost the server). */
    public int leaseExpiries() {
        return (int) number(TokenFields.LEASE_EXPIRIES);
    }

    public String claimId() {
        return doc.path(TokenFields.CLAIM_ID).asText(null);
    }

    public String workerId() {
        return doc.path(TokenFields.WORKER_ID).asText(null);
    }

    /** The per-token timeout in seconds from its {@code timeout} field, or 0 when it has none. */
    public long timeoutSeconds() {
        return number(TokenFields.TIMEOUT);
    }

    /** Whether an outcome of the execution with this claim id is in the run history already. */
    public boolean hasRunOf(String claimId) {
        if (claimId == null) {
            return false;
        }
        for (JsonNode run : doc.path(TokenFields.RUNS)) {
            if (claimId.equals(run.path("claim_id").asText(null))) {
                return true;
            }
        }
        return false;
    }

    public Token withRev(String rev) {
        ObjectNode copy = doc.deepCopy();
        copy.put("_rev", rev);
        return new Token(copy);
    }

    /** Claimed by a worker at {@code now} (epoch seconds) with a lease until {@code leaseUntil}. */
    public Token claimed(WorkerIdentity worker, String claimId, long now, long leaseUntil) {
        ObjectNode copy = change(TokenState.LOCKED);
        copy.put(TokenFields.LOCK, now);
        copy.put(TokenFields.DONE, 0);
        copy.put(TokenFields.LEASE_UNTIL, leaseUntil);
        copy.put(TokenFields.CLAIM_ID, claimId);
        worker.stamp(copy);
        return new Token(copy);
    }

    public Token leaseExtended(long leaseUntil) {
        if (state() != TokenState.LOCKED) {
            throw new IllegalStateTransitionException("Token " + id() + " is " + state() + ": only a locked token has a"
                    + " lease to extend");
        }
        ObjectNode copy = change(TokenState.LOCKED);
        copy.put(TokenFields.LEASE_UNTIL, leaseUntil);
        return new Token(copy);
    }

    /** Finished: exit code 0 lands in PiCaS's done view, any other in its error view. */
    public Token finished(long now, int exitCode, JsonNode output, long runSeconds, RunRecord run) {
        ObjectNode copy = change(exitCode == 0 ? TokenState.DONE : TokenState.ERROR);
        copy.put(TokenFields.DONE, Math.max(now, 1));
        if (copy.path(TokenFields.LOCK).asLong() <= 0) {
            copy.put(TokenFields.LOCK, Math.max(now, 1)); // PiCaS's done/error views need lock > 0
        }
        copy.put(TokenFields.EXIT_CODE, exitCode);
        if (output != null) {
            copy.set(TokenFields.OUTPUT, output);
        }
        copy.put(TokenFields.RUN_TIME, runSeconds);
        copy.put(TokenFields.LEASE_UNTIL, 0);
        appendRun(copy, run);
        return new Token(copy);
    }

    /** Back to todo, waiting until {@code notBefore}; a failed attempt counts, a release (shutdown) does not. */
    public Token requeued(long notBefore, boolean countAttempt, RunRecord run) {
        ObjectNode copy = change(TokenState.TODO);
        copy.put(TokenFields.LOCK, 0);
        copy.put(TokenFields.DONE, 0);
        copy.put(TokenFields.LEASE_UNTIL, 0);
        copy.put(TokenFields.NOT_BEFORE, notBefore);
        copy.remove(TokenFields.CLAIM_ID);
        if (countAttempt) {
            copy.put(TokenFields.ATTEMPTS, attempts() + 1);
            copy.put(TokenFields.SCRUB_COUNT, number(TokenFields.SCRUB_COUNT) + 1);
        }
        appendRun(copy, run);
        return new Token(copy);
    }

    public Token withLeaseExpiries(int leaseExpiries) {
        ObjectNode copy = doc.deepCopy();
        copy.put(TokenFields.LEASE_EXPIRIES, leaseExpiries);
        return new Token(copy);
    }

    /**
     * The last entry of the run history, when it is the expiry of the lease of {@code claimId}: the worker of that
     * claim turned out to be alive after all (its result came in), so the expiry is not counted against the token.
     */
    public Token withoutLeaseExpiryOf(String claimId) {
        JsonNode runs = doc.path(TokenFields.RUNS);
        JsonNode last = runs.isArray() && runs.size() > 0 ? runs.get(runs.size() - 1) : null;
        if (claimId == null || last == null || !claimId.equals(last.path("claim_id").asText(null))
                || !OutcomeApplier.LEASE_EXPIRED.equals(last.path("outcome").asText()) || leaseExpiries() <= 0) {
            return this;
        }
        return withLeaseExpiries(leaseExpiries() - 1);
    }

    /** Adds an entry to PiCaS's error list: {time, message, exception}. */
    public Token withError(long now, String message, String exception) {
        ObjectNode copy = doc.deepCopy();
        JsonNode existing = copy.get(TokenFields.ERROR);
        ArrayNode errors = existing instanceof ArrayNode array ? array : copy.putArray(TokenFields.ERROR);
        ObjectNode entry = errors.addObject();
        entry.put("time", now);
        entry.put("message", message);
        entry.put("exception", exception);
        return new Token(copy);
    }

    private ObjectNode change(TokenState target) {
        state().checkMoveTo(target, id());
        return doc.deepCopy();
    }

    private static void appendRun(ObjectNode doc, RunRecord run) {
        if (run == null) {
            return;
        }
        JsonNode existing = doc.get(TokenFields.RUNS);
        ArrayNode runs = existing instanceof ArrayNode array ? array : doc.putArray(TokenFields.RUNS);
        runs.add(run.toJson());
        while (runs.size() > MAX_RUNS) {
            runs.remove(0);
        }
    }

    private long number(String field) {
        JsonNode value = doc.get(field);
        return value != null && value.isNumber() ? value.asLong() : 0;
    }

    @Override
    public String toString() {
        return "token " + id() + " (" + type() + ", " + state() + ")";
    }
}
