package io.couchwork.exec;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reads back at most a bounded tail of a log file a process wrote, so a job that prints gigabytes costs no memory. */
public final class BoundedCapture {

    private BoundedCapture() {}

    /** The last {@code maxBytes} bytes of the file, with a note of what was cut when it was longer. */
    public static byte[] tail(Path file, long maxBytes) throws IOException {
        long size = Files.size(file);
        if (size <= maxBytes) {
            return Files.readAllBytes(file);
        }
        byte[] note = ("[... " + (size - maxBytes) + " earlier bytes cut; " + size + " bytes in all]\n")
                .getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[note.length + (int) maxBytes];
        System.arraycopy(note, 0, out, 0, note.length);
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
            raf.seek(size - maxBytes);
            raf.readFully(out, note.length, (int) maxBytes);
        }
        return out;
    }

    public static String tailText(Path file, long maxBytes) throws IOException {
        return new String(tail(file, maxBytes), StandardCharsets.UTF_8);
    }
}
