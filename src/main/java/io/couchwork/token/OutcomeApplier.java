package io.couchwork.token;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.couchwork.couchdb.Json;
import java.util.Base64;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * Turns an execution's outcome into the token's next document: done, back to todo after a backoff, or error. Only what
 * the job did counts as an attempt: a lease that ran out (the worker died, hung or lost the server) is counted apart,
 * in {@code lease_expiries}, with a budget of its own.
 */
public final class OutcomeApplier {

    /** The default of couchwork.pool.max-lease-expiries. */
    public static final int DEFAULT_MAX_LEASE_EXPIRIES = 5;
    /** The outcome of a run whose lease ran out, in the run history. */
    public static final String LEASE_EXPIRED = "lease expired";

    private final RetryPolicy retryPolicy;
    private final int maxLeaseExpiries;
    private final RandomGenerator random;

    public OutcomeApplier(RetryPolicy retryPolicy, RandomGenerator random) {
        this(retryPolicy, DEFAULT_MAX_LEASE_EXPIRIES, random);
    }

    public OutcomeApplier(RetryPolicy retryPolicy, int maxLeaseExpiries, RandomGenerator random) {
        if (maxLeaseExpiries < 1) {
            throw new IllegalArgumentException("maxLeaseExpiries must be at least 1");
        }
        this.retryPolicy = retryPolicy;
        this.maxLeaseExpiries = maxLeaseExpiries;
        this.random = random;
    }

    /** The next version of {@code token} (as we hold it, or re-read after a conflict) for this outcome at {@code now}. */
    public Token apply(Token token, Outcome outcome, long started, long now, WorkerIdentity worker, String claimId) {
        long runSeconds = Math.max(0, now - started);
        if (outcome instanceof Outcome.Released released) {
            return token.requeued(0, false, run(claimId, worker, started, now, "released: " + released.reason(), null));
        }
        if (outcome instanceof Outcome.Finished finished && finished.exitCode() == 0) {
            Token done = withLogs(token, finished.logs());
            return done.finished(now, 0, finished.output(), runSeconds, run(claimId, worker, started, now, "done", 0));
        }
        Integer exitCode;
        String message;
        String exception;
        boolean retryable;
        List<LogAttachment> logs;
        Token updated = token;
        if (outcome instanceof Outcome.Finished finished) {
            exitCode = finished.exitCode();
            message = finished.failureMessage() != null ? finished.failureMessage() : "exit code " + exitCode;
            exception = "ExitCode" + exitCode;
            retryable = true;
            logs = finished.logs();
            updated = updated.withJobOutput(finished.output());
        } else {
            Outcome.Failed failed = (Outcome.Failed) outcome;
            exitCode = null;
            message = failed.message();
            exception = failed.exception();
            retryable = failed.retryable();
            logs = failed.logs();
        }
        updated = withLogs(updated, logs).withError(now, message, exception);
        int attempts = token.attempts();
        if (retryPolicy.mayRetry(attempts, exitCode, retryable)) {
            long notBefore = retryPolicy.notBefore(now, attempts + 1, random);
            return updated.requeued(notBefore, true, run(claimId, worker, started, now, "retry", exitCode));
        }
        int finalCode = exitCode != null ? exitCode : -1;
        ObjectNode doc = updated.document().deepCopy();
        doc.put(TokenFields.ATTEMPTS, attempts + 1);
        return new Token(doc).finished(now, finalCode, null, runSeconds, run(claimId, worker, started, now, "error", exitCode));
    }

    /**
     * A lease that ran out: its worker died, hung, or could not reach the server for a whole lease. That is not the
     * job's doing, so neither {@code attempts} nor PiCaS's {@code error} list change; the run history records it and
     * {@code lease_expiries} counts it. Back to todo after a backoff; once {@code maxLeaseExpiries} leases have run out
     * (a token whose job keeps killing its worker, say by running it out of memory), the error state, with one error
     * entry saying so.
     */
    public Token leaseExpired(Token token, long now) {
        String hostname = token.document().path(TokenFields.HOSTNAME).asText(null);
        RunRecord run = new RunRecord(token.claimId(), token.workerId(), hostname, token.lock(), now, LEASE_EXPIRED,
                null);
        int expiries = token.leaseExpiries() + 1;
        if (expiries < maxLeaseExpiries) {
            return token.requeued(retryPolicy.notBefore(now, expiries, random), false, run).withLeaseExpiries(expiries);
        }
        String message = "lease expired " + expiries + " times (couchwork.pool.max-lease-expiries), the last at "
                + token.leaseUntil() + " when worker " + token.workerId() + " on " + (hostname == null ? "?" : hostname)
                + " stopped renewing it: its workers keep dying (killed, out of memory?) or losing the server";
        return token.withError(now, message, "LeaseExpired").withLeaseExpiries(expiries)
                .finished(now, -1, null, Math.max(0, now - token.lock()), run);
    }

    private static Token withLogs(Token token, List<LogAttachment> logs) {
        if (logs == null || logs.isEmpty()) {
            return token;
        }
        ObjectNode doc = token.document().deepCopy();
        ObjectNode attachments = doc.with(TokenFields.ATTACHMENTS);
        for (LogAttachment log : logs) {
            ObjectNode attachment = Json.object();
            attachment.put("content_type", log.contentType());
            attachment.put("data", Base64.getEncoder().encodeToString(log.content()));
            attachments.set(log.name(), attachment);
        }
        return new Token(doc);
    }

    private static RunRecord run(String claimId, WorkerIdentity worker, long started, long ended, String outcome,
            Integer exitCode) {
        return new RunRecord(claimId, worker.workerId(), worker.hostname(), started, ended, outcome, exitCode);
    }
}
