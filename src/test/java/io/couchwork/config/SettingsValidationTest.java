package io.couchwork.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.couchwork.CouchworkException;
import io.couchwork.ExitCode;
import io.couchwork.testing.CapturedLog;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Start-up validation of the couchwork.* settings: unknown keys, values of the wrong kind, and where they were set. */
class SettingsValidationTest {

    @TempDir
    Path dir;

    private CouchworkException failure(String fileText, Map<String, String> overrides, Map<String, String> env)
            throws IOException {
        Path file = dir.resolve("application.properties");
        Files.writeString(file, fileText);
        Map<String, String> values = new HashMap<>();
        Properties properties = new Properties();
        properties.load(Files.newBufferedReader(file));
        properties.forEach((k, v) -> values.put((String) k, (String) v));
        values.putAll(overrides);
        SettingsValidation validation = new SettingsValidation(file, overrides, env);
        try {
            validation.check(new SettingsReader(key -> Optional.ofNullable(values.get(key))));
            return null;
        } catch (CouchworkException e) {
            return e;
        }
    }

    @Test
    void should_name_an_unknown_key_where_it_was_set_and_the_key_probably_meant() throws IOException {
        CouchworkException e = failure("# pool\ncouchwork.pool.concurrency = 2\ncouchwork.pool.lease-durration = 5m\n",
                Map.of("couchwork.exec.comand", "echo"), Map.of());
        assertThat(e.exitCode()).isEqualTo(ExitCode.CONFIGURATION);
        assertThat(e.getMessage()).isEqualTo("Unknown setting couchwork.pool.lease-durration (application.properties"
                + " line 3): did you mean couchwork.pool.lease-duration?; Unknown setting couchwork.exec.comand"
                + " (-D couchwork.exec.comand): did you mean couchwork.exec.command?");
    }

    @Test
    void should_name_a_value_of_the_wrong_kind_and_where_it_was_set() throws IOException {
        assertThat(failure("couchwork.pool.lease-duration = 5 minutes\n", Map.of(), Map.of()).getMessage())
                .isEqualTo("Invalid setting couchwork.pool.lease-duration = '5 minutes': expected a duration such as"
                        + " 30s, 5m, 1h30m or PT5M (application.properties line 1)");
        assertThat(failure("", Map.of("couchwork.pool.concurrency", "-3"), Map.of()).getMessage())
                .startsWith("Invalid setting couchwork.pool.concurrency = '-3': expected a whole number from 1");
        assertThat(failure("", Map.of("couchwork.http.port", "eighty"), Map.of()).getMessage())
                .startsWith("Invalid setting couchwork.http.port = 'eighty'");
        assertThat(failure("couchwork.flows.on-crash = later\n", Map.of(), Map.of()).getMessage())
                .contains("expected park or rerun");
        assertThat(failure("couchwork.pool.prefetch = lots\n", Map.of(), Map.of()).getMessage())
                .startsWith("Invalid setting couchwork.pool.prefetch = 'lots': expected a whole number from 0");
        assertThat(failure("couchwork.pool.prefetch = auto\n", Map.of("couchwork.exec.shell", "/bin/dash"), Map.of()))
                .isNull();
        assertThat(failure("couchwork.pool.prefetch = 8\n", Map.of(), Map.of())).isNull();
        assertThat(failure("couchwork.recurring.cron = 0 0 2 * * *\n", Map.of(), Map.of()).getMessage())
                .startsWith("Invalid setting couchwork.recurring.cron = '0 0 2 * * *': expected a Quartz cron expression");
        assertThat(failure("", Map.of("couchwork.recurring.time-zone", "Europe/Amsterdm"), Map.of()).getMessage())
                .startsWith("Invalid setting couchwork.recurring.time-zone = 'Europe/Amsterdm': expected a time zone ID");
        assertThat(failure("couchwork.recurring.cron = 0 30 1 ? * MON-FRI\ncouchwork.recurring.time-zone = Europe/Amsterdam\n",
                Map.of(), Map.of())).isNull();
    }

    @Test
    void should_only_warn_about_an_unknown_environment_variable_and_accept_known_keys() throws IOException {
        assertThat(failure("couchwork.pool.concurrency = 2\ncamel.main.name = x\n", Map.of(),
                Map.of("COUCHWORK_POOL_CONCURENCY", "3", "COUCHWORK_HOME", "/x"))).isNull();
    }

    @Test
    void should_name_a_settings_file_variable_as_where_a_value_came_from_and_not_warn_about_it() throws IOException {
        Path file = dir.resolve("application.properties");
        Files.writeString(file, "");
        // as CouchworkMain passes a value read from COUCHWORK_POOL_CONCURRENCY_FILE: an override property
        SettingsValidation validation = new SettingsValidation(file, Map.of(),
                Map.of("COUCHWORK_POOL_CONCURRENCY_FILE", "/run/secrets/n", "COUCHWORK_HTTP_PASSWORD_FILE", "/run/x",
                        "COUCHWORK_HTTP_PASWORD_FILE", "/run/typo"));
        Map<String, String> values = Map.of("couchwork.pool.concurrency", "-3");
        try (CapturedLog log = CapturedLog.of(SettingsValidation.class)) {
            org.assertj.core.api.Assertions.assertThatThrownBy(
                    () -> validation.check(new SettingsReader(key -> Optional.ofNullable(values.get(key)))))
                    .hasMessageStartingWith("Invalid setting couchwork.pool.concurrency = '-3'")
                    .hasMessageEndingWith("(environment variable COUCHWORK_POOL_CONCURRENCY_FILE)");
            assertThat(log.linesWith("is not a Couchwork setting")).singleElement().asString()
                    .contains("COUCHWORK_HTTP_PASWORD_FILE");
        }
    }

    @Test
    void should_know_every_key_of_the_shipped_configuration_and_the_readme() throws IOException {
        Properties shipped = new Properties();
        shipped.load(Files.newBufferedReader(Path.of("config/application.properties")));
        shipped.stringPropertyNames().stream().filter(k -> k.startsWith("couchwork."))
                .forEach(key -> assertThat(KnownSettings.isKnown(key)).as(key).isTrue());
        Matcher readme = Pattern.compile("^\\| `(couchwork\\.[a-z.-]+)`", Pattern.MULTILINE)
                .matcher(Files.readString(Path.of("README.md")));
        int documented = 0;
        while (readme.find()) {
            assertThat(KnownSettings.isKnown(readme.group(1))).as(readme.group(1)).isTrue();
            documented++;
        }
        assertThat(documented).isGreaterThan(20);
    }

    @Test
    void should_suggest_only_close_keys() {
        assertThat(KnownSettings.closest("couchwork.pool.concurency")).hasValue("couchwork.pool.concurrency");
        assertThat(KnownSettings.closest("couchwork.something.else.entirely")).isEmpty();
    }
}
