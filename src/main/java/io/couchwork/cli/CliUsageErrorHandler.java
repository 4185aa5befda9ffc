package io.couchwork.cli;

import io.couchwork.ExitCode;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.UnmatchedArgumentException;

/** A command line picocli cannot parse: one "couchwork:" line with the problem and a suggestion, exit code 2. */
public final class CliUsageErrorHandler implements IParameterExceptionHandler {

    @Override
    public int handleParseException(ParameterException error, String[] args) {
        CommandLine command = error.getCommandLine();
        String suggestion = "";
        if (error instanceof UnmatchedArgumentException unmatched) {
            List<String> suggestions = unmatched.getSuggestions();
            if (!suggestions.isEmpty()) {
                suggestion = "; did you mean " + String.join(" or ", suggestions) + "?";
            }
        }
        command.getErr().println("couchwork: " + error.getMessage() + suggestion + " (see " + command.getCommandSpec()
                .qualifiedName() + " --help)");
        return ExitCode.USAGE.code();
    }
}
