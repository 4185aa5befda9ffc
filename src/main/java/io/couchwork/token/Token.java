package io.couchwork.token;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * A token document, read and changed as a JSON tree so that every field a user or PiCaS put there survives. Each change
 * returns a new Token and checks the state transition table.
 */
public final class Token {

    /** How many entries of run history a token keeps. */
    static final int MAX_RUNS = 20;
    private static final List<String> LEFT_AS_FIELDS = List.of(TokenFields.LOCK, TokenFields.DONE,
            TokenFields.SCRUB_COUNT);

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

    /** Couchwork's retry delay; none once someone else reset or edited the token (see {@link #changedByOthers()}). */
    public long notBefore() {
        return changedByOthers() ? 0 : number(TokenFields.NOT_BEFORE);
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

    /** Failed executions counted by Couchwork; a fresh budget once someone else reset or edited the token. */
    public int attempts() {
        return changedByOthers() ? 0 : (int) number(TokenFields.ATTEMPTS);
    }

    /** Times a lease on this token ran out without a result (its worker died, hung or lost the server). */
    public int leaseExpiries() {
        return changedByOthers() ? 0 : (int) number(TokenFields.LEASE_EXPIRIES);
    }

    /**
     * Whether lock, done or scrub_count differ from what Couchwork last wrote ({@code left_as}): PiCaS's resetTokens
     * (lock 0, done 0, scrub_count + 1) or a manual edit changed the token's state since, and the Couchwork fields they
     * left behind (attempts, lease_expiries, not_before) belong to the past. A token Couchwork never wrote has no
     * {@code left_as}: its fields are taken as they are.
     */
    public boolean changedByOthers() {
        JsonNode left = doc.get(TokenFields.LEFT_AS);
        if (left == null || !left.isObject()) {
            return false;
        }
        for (String field : LEFT_AS_FIELDS) {
            if (numberOrZero(doc.get(field)) != numberOrZero(left.get(field))) {
                return true;
            }
        }
        return false;
    }

    /** The lock value of Couchwork's claim, or 0 for a token claimed by a Couchwork older than claim_lock. */
    public long claimLock() {
        return number(TokenFields.CLAIM_LOCK);
    }

    public long startedAt() {
        return number(TokenFields.STARTED_AT);
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
        if (changedByOthers()) {
            // reset or edited by someone else: a fresh attempt budget, no retry delay of before
            for (String field : List.of(TokenFields.ATTEMPTS, TokenFields.LEASE_EXPIRIES, TokenFields.NOT_BEFORE)) {
                if (copy.has(field)) {
                    copy.put(field, 0);
                }
            }
        }
        copy.put(TokenFields.LOCK, now);
        copy.put(TokenFields.DONE, 0);
        copy.put(TokenFields.LEASE_UNTIL, leaseUntil);
        copy.put(TokenFields.CLAIM_ID, claimId);
        copy.put(TokenFields.CLAIM_LOCK, now);
        copy.remove(TokenFields.STARTED_AT);
        worker.stamp(copy);
        leftAs(copy);
        return new Token(copy);
    }

    /** The job of this claim starts now, with a fresh lease: the write that proves the claim is still ours. */
    public Token started(long now, long leaseUntil) {
        ObjectNode copy = change(TokenState.LOCKED);
        copy.put(TokenFields.STARTED_AT, now);
        copy.put(TokenFields.LEASE_UNTIL, leaseUntil);
        return new Token(copy);
    }

    /** An entry added to the run history, nothing else changed (a result that was not applied). */
    public Token withRun(RunRecord run) {
        ObjectNode copy = doc.deepCopy();
        appendRun(copy, run);
        return new Token(copy);
    }

    /**
     * An entry added to the run history as a duplicate execution (its job ran, but the token had been finished by
     * another run meanwhile), counted in {@code duplicate_executions}.
     */
    public Token withDuplicateRun(RunRecord run) {
        ObjectNode copy = doc.deepCopy();
        appendRun(copy, run);
        ArrayNode runs = (ArrayNode) copy.get(TokenFields.RUNS);
        ((ObjectNode) runs.get(runs.size() - 1)).put(TokenFields.DUPLICATE, true);
        copy.put(TokenFields.DUPLICATE_EXECUTIONS, copy.path(TokenFields.DUPLICATE_EXECUTIONS).asLong(0) + 1);
        return new Token(copy);
    }

    /** Whether the last run history entry is the lease expiry of {@code claimId}, written by a Couchwork reaper. */
    public boolean lastRunIsLeaseExpiryOf(String claimId) {
        JsonNode runs = doc.path(TokenFields.RUNS);
        JsonNode last = runs.isArray() && runs.size() > 0 ? runs.get(runs.size() - 1) : null;
        return claimId != null && last != null && claimId.equals(last.path("claim_id").asText(null))
                && OutcomeApplier.LEASE_EXPIRED.equals(last.path("outcome").asText());
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
        putJobOutput(copy, output);
        copy.put(TokenFields.RUN_TIME, runSeconds);
        copy.put(TokenFields.LEASE_UNTIL, 0);
        appendRun(copy, run);
        leftAs(copy);
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
        leftAs(copy);
        return new Token(copy);
    }

    /** With a job's output: a JSON object in PiCaS's {@code output} (an object there too), anything else apart. */
    public Token withJobOutput(JsonNode output) {
        ObjectNode copy = doc.deepCopy();
        putJobOutput(copy, output);
        return new Token(copy);
    }

    private static void putJobOutput(ObjectNode doc, JsonNode output) {
        if (output == null) {
            return;
        }
        // PiCaS's Task reads output as a dict: a stdout tail (text) never replaces it
        doc.set(output.isObject() ? TokenFields.OUTPUT : TokenFields.STDOUT_TAIL, output);
    }

    /** Records lock, done and scrub_count as written now, to tell later whether someone else changed them. */
    private static void leftAs(ObjectNode doc) {
        ObjectNode left = doc.putObject(TokenFields.LEFT_AS);
        for (String field : LEFT_AS_FIELDS) {
            left.put(field, numberOrZero(doc.get(field)));
        }
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

    /** A missing or non-numeric value as 0 (PiCaS writes none of these as anything but a number). */
    private static long numberOrZero(JsonNode value) {
        return value != null && value.isNumber() ? value.asLong() : 0;
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
