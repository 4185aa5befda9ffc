package io.couchwork.ops;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/** The formats a token file may have, and how {@code auto} tells them apart. */
public enum TokenFileFormat {
    AUTO,
    /** A JSON array of tokens (objects) or inputs (plain values). */
    JSON,
    /** One JSON value per line. */
    JSONL,
    /** A header row naming the fields, then one token per row. */
    CSV,
    /** A YAML list of maps or values. */
    YAML,
    /** Plain text: one input per line (GRID_LRT's srm lists). */
    LINES;

    /** The format of this file: by extension, and for .json by its first character ([ array, else JSON lines). */
    public TokenFileFormat resolve(Path file) {
        if (this != AUTO) {
            return this;
        }
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".jsonl") || name.endsWith(".ndjson")) {
            return JSONL;
        }
        if (name.endsWith(".json")) {
            return firstCharacter(file) == '[' ? JSON : JSONL;
        }
        if (name.endsWith(".csv")) {
            return CSV;
        }
        if (name.endsWith(".yaml") || name.endsWith(".yml")) {
            return YAML;
        }
        return LINES;
    }

    private static int firstCharacter(Path file) {
        try (var reader = Files.newBufferedReader(file)) {
            int c;
            do {
                c = reader.read();
            } while (c == '\uFEFF' || (c >= 0 && Character.isWhitespace(c)));
            return c;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
