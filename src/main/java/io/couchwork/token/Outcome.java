package io.couchwork.token;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/** How one execution of a token ended, as the worker reports it to the pool. */
public sealed interface Outcome {

    /** The job ran to the end: exit code 0 is done, another exit code is a failed attempt. */
    record Finished(int exitCode, JsonNode output, List<LogAttachment> logs, String failureMessage) implements Outcome {}

    /** The job threw; {@code retryable} false sends it straight to the error state. */
    record Failed(String message, String exception, boolean retryable, List<LogAttachment> logs) implements Outcome {}

    /** The worker stopped before the job finished (shutdown): back to todo, no attempt counted. */
    record Released(String reason) implements Outcome {}
}
