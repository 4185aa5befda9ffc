package io.couchwork.reliability;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Writes one scenario's section of docs/reliability.md to target/reliability/; reliability/run assembles them. */
final class ReliabilityReport {

    private static final Path DIR = Path.of("target/reliability");

    private ReliabilityReport() {}

    /** {@code order} sorts the sections; the body is Markdown under a "## title" heading. */
    static void section(int order, String title, String body) {
        try {
            Files.createDirectories(DIR);
            Files.writeString(DIR.resolve(String.format("%02d.md", order)), "## " + title + "\n\n" + body.strip() + "\n\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
