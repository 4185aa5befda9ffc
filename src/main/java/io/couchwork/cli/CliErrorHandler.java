package io.couchwork.cli;

import io.couchwork.CouchworkException;
import io.couchwork.ExitCode;
import io.couchwork.couchdb.Failures;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParseResult;

/** Turns a failed command into one clear line on stderr and a meaningful exit code; --verbose adds the stack trace. */
public final class CliErrorHandler implements IExecutionExceptionHandler {

    private static volatile boolean verbose;

    public static void setVerbose(boolean value) {
        verbose = value;
    }

    public static boolean isVerbose() {
        return verbose;
    }

    @Override
    public int handleExecutionException(Exception error, CommandLine command, ParseResult parseResult) {
        CouchworkException known = CouchworkException.findIn(error);
        if (known != null) {
            command.getErr().println("couchwork: " + known.getMessage());
        } else {
            command.getErr().println("couchwork: unexpected error: " + Failures.describe(rootCause(error))
                    + (verbose ? "" : " (run with --verbose for details)"));
        }
        if (verbose) {
            error.printStackTrace(command.getErr());
        }
        return (known != null ? known.exitCode() : ExitCode.FAILURE).code();
    }

    private static Throwable rootCause(Throwable error) {
        Throwable t = error;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t;
    }
}
