package io.couchwork.config;

import io.couchwork.CouchworkException;
import io.couchwork.ExitCode;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Predicate;
import org.apache.camel.spi.PropertiesComponent;
import org.apache.camel.util.TimeUtils;

/** Reads typed couchwork.* settings from Camel's properties (file, environment, overrides), naming the key in every error. */
public final class SettingsReader {

    private final Function<String, Optional<String>> lookup;

    public SettingsReader(Function<String, Optional<String>> lookup) {
        this.lookup = lookup;
    }

    public static SettingsReader of(PropertiesComponent properties) {
        return new SettingsReader(properties::resolveProperty);
    }

    public String string(String key, String defaultValue) {
        return lookup.apply(key).map(String::trim).orElse(defaultValue);
    }

    public Duration duration(String key, String defaultValue) {
        return parseDuration(key, string(key, defaultValue));
    }

    /** Parses 30s, 5m, 1h30m or ISO-8601 (PT5M); the error names {@code key}. */
    public static Duration parseDuration(String key, String value) {
        try {
            // Camel's TimeUtils reads 30s/5m/1h30m but not ISO-8601
            Duration duration = value.regionMatches(true, 0, "P", 0, 1) ? Duration.parse(value) : TimeUtils.toDuration(value);
            if (duration.isNegative()) {
                throw new IllegalArgumentException("negative");
            }
            return duration;
        } catch (RuntimeException e) {
            throw invalid(key, value, "a duration such as 30s, 5m, 1h30m or PT5M");
        }
    }

    public int integer(String key, int defaultValue, int min) {
        String value = string(key, Integer.toString(defaultValue));
        try {
            int parsed = Integer.parseInt(value);
            if (parsed < min) {
                throw new NumberFormatException();
            }
            return parsed;
        } catch (NumberFormatException e) {
            throw invalid(key, value, "a whole number of at least " + min);
        }
    }

    public int integer(String key, int defaultValue, int min, int max) {
        String value = string(key, Integer.toString(defaultValue));
        try {
            int parsed = Integer.parseInt(value);
            if (parsed < min || parsed > max) {
                throw new NumberFormatException();
            }
            return parsed;
        } catch (NumberFormatException e) {
            throw invalid(key, value, "a whole number from " + min + " to " + max);
        }
    }

    /** A comma-separated list of whole numbers (exit codes, say); empty is an empty list. */
    public java.util.List<Integer> integerList(String key) {
        String value = string(key, "");
        java.util.List<Integer> numbers = new java.util.ArrayList<>();
        for (String part : value.split(",")) {
            if (part.isBlank()) {
                continue;
            }
            try {
                numbers.add(Integer.parseInt(part.trim()));
            } catch (NumberFormatException e) {
                throw invalid(key, value, "whole numbers separated by commas");
            }
        }
        return numbers;
    }

    /** One of the given words, in any case. */
    public String choice(String key, String... allowed) {
        String value = string(key, allowed[0]);
        for (String word : allowed) {
            if (word.equalsIgnoreCase(value)) {
                return word;
            }
        }
        throw invalid(key, value, String.join(" or ", allowed));
    }

    /** A value the check accepts; {@code expected} says what that is in the error. */
    public String matching(String key, String defaultValue, Predicate<String> check, String expected) {
        String value = string(key, defaultValue);
        if (!check.test(value)) {
            throw invalid(key, value, expected);
        }
        return value;
    }

    public boolean bool(String key, boolean defaultValue) {
        String value = string(key, Boolean.toString(defaultValue));
        return switch (value.toLowerCase()) {
            case "true", "yes", "on" -> true;
            case "false", "no", "off" -> false;
            default -> throw invalid(key, value, "true or false");
        };
    }

    private static CouchworkException invalid(String key, String value, String expected) {
        return new CouchworkException(
                "Invalid setting " + key + " = '" + value + "': expected " + expected, ExitCode.CONFIGURATION);
    }
}
