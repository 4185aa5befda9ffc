package io.couchwork.status;

import static io.couchwork.status.MessageNormalizer.normalize;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Error messages that differ only in ids, numbers, hex, times and run folders fall into one group. */
class MessageNormalizerTest {

    @Test
    void should_strip_ids_and_numbers_but_keep_exit_codes_and_http_statuses() {
        assertThat(normalize("token_17 failed after 3 attempts")).isEqualTo("token_# failed after # attempts");
        assertThat(normalize("token_9 failed after 12 attempts")).isEqualTo(normalize("token_17 failed after 3 attempts"));
        assertThat(normalize("exit code 7: boom")).isEqualTo("exit code 7: boom");
        assertThat(normalize("exit code 137")).isNotEqualTo(normalize("exit code 1"));
        assertThat(normalize("HTTP 503 from server after 2.5 s")).isEqualTo("HTTP 503 from server after # s");
        assertThat(normalize("Status 404 for item-12")).isEqualTo("Status 404 for item-#");
    }

    @Test
    void should_strip_uuids_hex_and_times() {
        assertThat(normalize("claim 3f2b8c1e-9a4d-4e6f-8b2a-1c3d5e7f9a0b lost"))
                .isEqualTo("claim <uuid> lost");
        assertThat(normalize("checksum deadbeef01 != 0badc0ffee42")).isEqualTo("checksum <hex> != <hex>");
        assertThat(normalize("segfault at 0x7ffd2a1c")).isEqualTo("segfault at <hex>");
        assertThat(normalize("lease ended 2026-11-27T20:58:11Z, retry at 2026-11-27 21:00"))
                .isEqualTo("lease ended <time>, retry at <time>");
        // words that merely look like hex stay words
        assertThat(normalize("deadline exceeded")).isEqualTo("deadline exceeded");
    }

    @Test
    void should_replace_the_varying_parts_of_paths_and_keep_the_rest() {
        assertThat(normalize("cannot open /scratch/run-17/input.dat: No such file"))
                .isEqualTo("cannot open /scratch/*/input.dat: No such file");
        assertThat(normalize("cannot open /scratch/run-4/input.dat: No such file"))
                .isEqualTo(normalize("cannot open /scratch/run-17/input.dat: No such file"));
        assertThat(normalize("disk full writing /data/out/part_0042.log"))
                .isEqualTo("disk full writing /data/out/*.log");
        assertThat(normalize("no /tmp/couchwork-3f2b8c1e-9a4d-4e6f-8b2a-1c3d5e7f9a0b/job.sh"))
                .isEqualTo("no /tmp/*/job.sh");
        assertThat(normalize("C:\\jobs\\7\\run.bat failed")).isEqualTo("C:\\jobs\\*\\run.bat failed");
        assertThat(normalize("GET http://db:5984/pool/token_3 timed out"))
                .isEqualTo("GET http://db:#/pool/* timed out");
    }

    @Test
    void should_collapse_whitespace_and_keep_at_most_the_views_length() {
        assertThat(normalize("  two\n  lines\tof   text ")).isEqualTo("two lines of text");
        assertThat(normalize("x".repeat(500))).hasSize(MessageNormalizer.MAX_LENGTH);
        assertThat(normalize(null)).isEmpty();
    }
}
