package io.couchwork.exec;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading back a bounded tail of a log file, with a note of what was cut. */
class BoundedCaptureTest {

    @TempDir
    Path dir;

    @Test
    void should_return_a_file_shorter_than_the_limit_whole() throws Exception {
        Path file = Files.writeString(dir.resolve("short.log"), "hello\nworld\n");
        assertThat(BoundedCapture.tail(file, 100)).isEqualTo("hello\nworld\n".getBytes(StandardCharsets.UTF_8));
        assertThat(BoundedCapture.tailText(file, 100)).isEqualTo("hello\nworld\n");
    }

    @Test
    void should_return_a_file_exactly_at_the_limit_whole() throws Exception {
        Path file = Files.writeString(dir.resolve("exact.log"), "0123456789");
        assertThat(BoundedCapture.tailText(file, 10)).isEqualTo("0123456789");
    }

    @Test
    void should_return_an_empty_file_as_empty() throws Exception {
        Path file = Files.createFile(dir.resolve("empty.log"));
        assertThat(BoundedCapture.tail(file, 10)).isEmpty();
    }

    @Test
    void should_keep_the_last_bytes_of_a_longer_file_after_a_note() throws Exception {
        Path file = Files.writeString(dir.resolve("long.log"), "0123456789abcdefghij");
        assertThat(BoundedCapture.tailText(file, 5)).isEqualTo("[... 15 earlier bytes cut; 20 bytes in all]\nfghij");
    }

    @Test
    void should_keep_exactly_max_bytes_of_a_large_binary_file() throws Exception {
        byte[] content = new byte[100_000];
        for (int i = 0; i < content.length; i++) {
            content[i] = (byte) (i * 31);
        }
        Path file = Files.write(dir.resolve("big.bin"), content);
        byte[] note = "[... 99000 earlier bytes cut; 100000 bytes in all]\n".getBytes(StandardCharsets.UTF_8);

        byte[] tail = BoundedCapture.tail(file, 1000);

        assertThat(tail).hasSize(note.length + 1000);
        assertThat(Arrays.copyOfRange(tail, 0, note.length)).isEqualTo(note);
        assertThat(Arrays.copyOfRange(tail, note.length, tail.length))
                .isEqualTo(Arrays.copyOfRange(content, 99_000, 100_000));
    }

    @Test
    void should_keep_only_the_note_with_a_zero_limit() throws Exception {
        Path file = Files.writeString(dir.resolve("any.log"), "abc");
        assertThat(BoundedCapture.tailText(file, 0)).isEqualTo("[... 3 earlier bytes cut; 3 bytes in all]\n");
    }
}
