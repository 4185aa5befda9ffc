package io.couchwork.cli.tokens;

import io.couchwork.CouchworkException;
import io.couchwork.ExitCode;
import io.couchwork.config.SettingsReader;
import io.couchwork.ops.TokenFileFormat;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** Checks of option values that picocli's types do not cover, each failing with one line (exit code 2). */
final class Options {

    private Options() {}

    static void checkPositive(String option, int value) {
        checkAtLeast(option, value, 1);
    }

    static void checkAtLeast(String option, int value, int min) {
        if (value < min) {
            throw new CouchworkException(option + " must be at least " + min + ", not " + value, ExitCode.USAGE);
        }
    }

    static TokenFileFormat format(String name) {
        try {
            return TokenFileFormat.valueOf(name.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new CouchworkException("Unknown format '" + name + "': valid formats are " + Arrays.stream(
                    TokenFileFormat.values()).map(f -> f.name().toLowerCase(Locale.ROOT)).collect(Collectors.joining(", ")),
                    ExitCode.USAGE);
        }
    }

    static Duration duration(String option, String value) {
        if (value == null) {
            return null;
        }
        try {
            return SettingsReader.parseDuration(option, value);
        } catch (CouchworkException e) {
            throw new CouchworkException("Invalid " + option + " '" + value + "': expected a duration such as 30m, 2h or 1d",
                    ExitCode.USAGE);
        }
    }
}
