package io.couchwork.status;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An error message with its variable parts replaced (ids, numbers, hex, UUIDs, times, the varying folders of paths), so
 * that tokens failing the same way share one error group however their messages name them.
 */
public final class MessageNormalizer {

    /** Longest normalized message; the activity view keeps 200 characters of each message. */
    static final int MAX_LENGTH = 200;

    private static final Pattern UUID = Pattern.compile(
            "\\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\\b");
    private static final Pattern TIME = Pattern.compile(
            "\\b\\d{4}-\\d{2}-\\d{2}(?:[T ]\\d{2}:\\d{2}(?::\\d{2}(?:[.,]\\d+)?)?(?:Z|[+-]\\d{2}:?\\d{2})?)?\\b");
    private static final Pattern HEX = Pattern.compile(
            "\\b0[xX][0-9a-fA-F]+\\b|\\b(?=[0-9a-fA-F]*[a-fA-F])(?=[0-9a-fA-F]*\\d)[0-9a-fA-F]{7,}\\b");
    // absolute paths of two or more parts; a Windows drive too
    private static final Pattern PATH = Pattern.compile("(?:\\b[A-Za-z]:)?(?:[/\\\\][^\\s/\\\\:'\"`,;()\\[\\]{}]+){2,}");
    // an exit code or an HTTP status tells failures apart: it stays; any other number goes
    private static final Pattern NUMBER = Pattern.compile(
            "(?i)(?<![\\d.])(?<!exit code )(?<!exit status )(?<!http )(?<!status )(?<!status code )\\d+(?:\\.\\d+)*");
    private static final Pattern PATH_PART = Pattern.compile("([/\\\\])([^/\\\\]+)");
    private static final Pattern EXTENSION = Pattern.compile("(\\.[A-Za-z][A-Za-z0-9]{0,5})+$");
    private static final Pattern SPACES = Pattern.compile("\\s+");

    private MessageNormalizer() {}

    /** The message's group: variable parts replaced by {@code <uuid>}, {@code <time>}, {@code <hex>}, {@code *}, {@code #}. */
    public static String normalize(String message) {
        if (message == null) {
            return "";
        }
        String text = UUID.matcher(message).replaceAll("<uuid>");
        text = TIME.matcher(text).replaceAll("<time>");
        text = HEX.matcher(text).replaceAll("<hex>");
        text = paths(text);
        text = NUMBER.matcher(text).replaceAll("#");
        text = SPACES.matcher(text).replaceAll(" ").strip();
        return text.length() <= MAX_LENGTH ? text : text.substring(0, MAX_LENGTH);
    }

    /** The parts of each path that hold a digit or a replaced value become {@code *}: run folders, ids, dates. */
    private static String paths(String text) {
        Matcher paths = PATH.matcher(text);
        StringBuilder out = new StringBuilder();
        while (paths.find()) {
            StringBuilder path = new StringBuilder();
            Matcher parts = PATH_PART.matcher(paths.group());
            int end = 0;
            while (parts.find()) {
                path.append(paths.group(), end, parts.start());
                String part = parts.group(2);
                path.append(parts.group(1)).append(variable(part) ? "*" + extension(part) : part);
                end = parts.end();
            }
            path.append(paths.group().substring(end));
            paths.appendReplacement(out, Matcher.quoteReplacement(path.toString()));
        }
        paths.appendTail(out);
        return out.toString();
    }

    private static boolean variable(String part) {
        return part.chars().anyMatch(Character::isDigit) || List.of("<uuid>", "<hex>", "<time>").stream()
                .anyMatch(part::contains);
    }

    /** A file's extension (.log, .tar.gz) stays: it tells what kind of file was missing or broken. */
    private static String extension(String part) {
        Matcher extension = EXTENSION.matcher(part);
        return extension.find() ? extension.group() : "";
    }
}
