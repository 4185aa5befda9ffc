package io.couchwork.changes;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * Newline-delimited JSON read from a stream as bytes, one line at a time, for the JSON parser to take as UTF-8 bytes:
 * a continuous feed hands every worker every change of the pool, and decoding each into a String first cost the feed
 * thread about as much as parsing it.
 */
final class JsonLines {

    private final InputStream in;
    private final byte[] buffer = new byte[64 * 1024];
    private int position;
    private int limit;
    private byte[] line = new byte[8 * 1024];
    private int length;

    JsonLines(InputStream in) {
        this.in = in;
    }

    /** Reads the next line (without its line break); false when the stream has ended. */
    boolean next() throws IOException {
        length = 0;
        while (true) {
            if (position == limit) {
                int read = in.read(buffer, 0, buffer.length);
                if (read < 0) {
                    return length > 0; // a last line without its line break
                }
                position = 0;
                limit = read;
            }
            int end = position;
            while (end < limit && buffer[end] != '\n') {
                end++;
            }
            append(position, end - position);
            boolean complete = end < limit;
            position = complete ? end + 1 : end;
            if (complete) {
                return true;
            }
        }
    }

    private void append(int from, int count) {
        if (length + count > line.length) {
            line = Arrays.copyOf(line, Math.max(line.length * 2, length + count));
        }
        System.arraycopy(buffer, from, line, length, count);
        length += count;
    }

    /** The line's bytes: valid up to {@link #length()}, until the next call to {@link #next()}. */
    byte[] bytes() {
        return line;
    }

    int length() {
        return length;
    }

    /** True for a line of white space only: a heartbeat. */
    boolean isBlank() {
        for (int i = 0; i < length; i++) {
            byte b = line[i];
            if (b != ' ' && b != '\r' && b != '\t') {
                return false;
            }
        }
        return true;
    }

    /** True when more bytes have arrived than were read: another line may be there without waiting. */
    boolean ready() throws IOException {
        return position < limit || in.available() > 0;
    }
}
