package io.couchwork.util;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** A line of a text file with a caret under one column, for errors that point into a file the user wrote. */
public final class SourceSnippet {

    private SourceSnippet() {}

    /** The line's text (1-based {@code line}), or empty when the file cannot be read or has no such line. */
    public static Optional<String> line(Path file, int line) {
        try {
            List<String> lines = Files.readAllLines(file);
            return line >= 1 && line <= lines.size() ? Optional.of(lines.get(line - 1).stripTrailing()) : Optional.empty();
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** "\n  7 | text\n    |    ^" for 1-based {@code line} and {@code column}; empty when the line is not there. */
    public static String at(Path file, int line, int column) {
        return line(file, line).filter(text -> !text.isBlank()).map(text -> render(line, column, text)).orElse("");
    }

    private static String render(int line, int column, String text) {
        String number = Integer.toString(line);
        return "\n  " + number + " | " + text + "\n  " + " ".repeat(number.length()) + " | "
                + " ".repeat(Math.max(0, Math.min(column - 1, text.length()))) + "^";
    }
}
