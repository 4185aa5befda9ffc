package io.couchwork.cli.tokens;

import io.couchwork.CouchworkException;
import io.couchwork.ExitCode;
import java.io.Console;
import java.util.Locale;
import java.util.function.UnaryOperator;

/** Asks an operator before a destructive change: on a terminal y/N, without one it refuses unless --yes was given. */
public final class Confirmation {

    private final boolean yes;
    /** Reads an answer after showing the prompt; null when there is no terminal. */
    private final UnaryOperator<String> terminal;

    Confirmation(boolean yes, UnaryOperator<String> terminal) {
        this.yes = yes;
        this.terminal = terminal;
    }

    public static Confirmation of(boolean yes) {
        Console console = System.console();
        return new Confirmation(yes, console == null ? null : prompt -> console.readLine("%s", prompt));
    }

    /** Returns when confirmed; otherwise throws a one-line refusal (exit code 2: nothing was changed). */
    public void confirm(String action) {
        if (yes) {
            return;
        }
        if (terminal == null) {
            throw new CouchworkException("Refusing to " + action + " without confirmation: not a terminal; add --yes",
                    ExitCode.USAGE);
        }
        String answer = terminal.apply("About to " + action + ". Continue? [y/N] ");
        if (answer == null || !(answer.trim().toLowerCase(Locale.ROOT).equals("y")
                || answer.trim().toLowerCase(Locale.ROOT).equals("yes"))) {
            throw new CouchworkException("Cancelled: nothing changed", ExitCode.USAGE);
        }
    }
}
