package io.couchwork.changes;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class JsonLinesTest {

    /** Hands out at most {@code chunk} bytes per read, as a network stream does. */
    private static InputStream chunked(String text, int chunk) {
        ByteArrayInputStream all = new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8));
        return new InputStream() {
            @Override
            public int read() {
                return all.read();
            }

            @Override
            public int read(byte[] b, int off, int len) {
                return all.read(b, off, Math.min(len, chunk));
            }

            @Override
            public int available() {
                return 0; // nothing more has arrived: only the reader's own buffer counts
            }
        };
    }

    private static List<String> lines(JsonLines reader) throws IOException {
        List<String> lines = new ArrayList<>();
        while (reader.next()) {
            lines.add(new String(reader.bytes(), 0, reader.length(), StandardCharsets.UTF_8)
                    + (reader.isBlank() ? "<blank>" : ""));
        }
        return lines;
    }

    @Test
    void reads_lines_split_across_reads_and_keeps_multibyte_characters_whole() throws IOException {
        String text = "{\"id\":\"a\"}\n\n{\"id\":\"ü€\"}\n   \n{\"id\":\"c\"}";
        for (int chunk : List.of(1, 2, 3, 7, 1024)) {
            assertThat(lines(new JsonLines(chunked(text, chunk)))).as("chunks of %d", chunk)
                    .containsExactly("{\"id\":\"a\"}", "<blank>", "{\"id\":\"ü€\"}", "   <blank>", "{\"id\":\"c\"}");
        }
    }

    @Test
    void reads_a_line_longer_than_its_buffers() throws IOException {
        String big = "{\"data\":\"" + "x".repeat(200_000) + "\"}";
        JsonLines reader = new JsonLines(chunked(big + "\n{}\n", 5000));
        assertThat(reader.next()).isTrue();
        assertThat(reader.length()).isEqualTo(big.length());
        assertThat(new String(reader.bytes(), 0, reader.length(), StandardCharsets.UTF_8)).isEqualTo(big);
        assertThat(reader.next()).isTrue();
        assertThat(reader.length()).isEqualTo(2);
        assertThat(reader.next()).isFalse();
    }

    @Test
    void is_ready_while_read_bytes_hold_another_line() throws IOException {
        JsonLines reader = new JsonLines(chunked("{\"a\":1}\n{\"b\":2}\n", 1024));
        assertThat(reader.next()).isTrue();
        assertThat(reader.ready()).isTrue();
        assertThat(reader.next()).isTrue();
        assertThat(reader.ready()).isFalse();
    }
}
