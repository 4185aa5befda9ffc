package io.couchwork.exec;

import io.couchwork.token.LogAttachment;
import java.util.List;

/** A finished command: exit code, the tails of its output, and its logs (bounded) to attach to the token. */
public record CommandResult(int exitCode, String stdoutTail, String stderrTail, List<LogAttachment> logs,
        boolean timedOut) {}
