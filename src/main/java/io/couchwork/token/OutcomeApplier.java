package io.couchwork.token;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.couchwork.couchdb.Json;
import java.util.Base64;
import java.util.List;
import java.util.random.RandomGenerator;

/** Turns an execution's outcome into the token's next document: done, back to todo after a backoff, or error. */
public final class OutcomeApplier {

    private final RetryPolicy retryPolicy;
    private final RandomGenerator random;

    public OutcomeApplier(RetryPolicy retryPolicy, RandomGenerator random) {
        this.retryPolicy = retryPolicy;
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
            if (finished.output() != null) {
                ObjectNode doc = updated.document().deepCopy();
                doc.set(TokenFields.OUTPUT, finished.output());
                updated = new Token(doc);
            }
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

    /** A lease that ran out: the attempt counts; back to todo after a backoff, or error once attempts are used up. */
    public Token leaseExpired(Token token, long now) {
        String message = "lease expired at " + token.leaseUntil() + ": worker " + token.workerId() + " on "
                + token.document().path(TokenFields.HOSTNAME).asText("?") + " stopped renewing it";
        Token updated = token.withError(now, message, "LeaseExpired");
        RunRecord run = new RunRecord(token.claimId(), token.workerId(),
                token.document().path(TokenFields.HOSTNAME).asText(null), token.lock(), now, "lease expired", null);
        int attempts = token.attempts();
        if (retryPolicy.mayRetry(attempts, null, true)) {
            return updated.requeued(retryPolicy.notBefore(now, attempts + 1, random), true, run);
        }
        ObjectNode doc = updated.document().deepCopy();
        doc.put(TokenFields.ATTEMPTS, attempts + 1);
        return new Token(doc).finished(now, -1, null, Math.max(0, now - token.lock()), run);
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
