package io.couchwork.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.couchwork.CouchworkException;
import io.couchwork.ExitCode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** X_FILE as an equivalent of X (Docker secrets): the file's contents, conflicts, unreadable files, Camel's env. */
class EnvironmentVariablesTest {

    private static final String SECRET = "s3cr\"et\\ with spaces";

    @TempDir
    Path dir;

    private Path file(String name, String content) throws IOException {
        Path file = dir.resolve(name);
        Files.writeString(file, content);
        return file;
    }

    @Test
    void should_read_x_file_as_x_with_trailing_line_breaks_removed() throws IOException {
        Path secret = file("password", SECRET + "\r\n\n");
        EnvironmentVariables env = EnvironmentVariables.resolve(
                Map.of("COUCHDB_PASSWORD_FILE", secret.toString(), "COUCHDB_USER", "worker"),
                List.of("COUCHDB_PASSWORD", "COUCHDB_USER"));
        assertThat(env.get("COUCHDB_PASSWORD")).isEqualTo(SECRET);
        assertThat(env.get("COUCHDB_USER")).isEqualTo("worker");
        assertThat(env.get("COUCHDB_URL")).isNull();
        assertThat(env.fromFiles()).containsOnlyKeys("COUCHDB_PASSWORD");
    }

    @Test
    void should_keep_leading_and_inner_whitespace_and_take_an_empty_file_as_empty() throws IOException {
        EnvironmentVariables env = EnvironmentVariables.resolve(Map.of(
                "A_FILE", file("a", "  two\nlines \n").toString(), "B_FILE", file("b", "").toString()),
                List.of("A", "B"));
        assertThat(env.get("A")).isEqualTo("  two\nlines ");
        assertThat(env.get("B")).isEmpty();
    }

    @Test
    void should_refuse_x_and_x_file_together_naming_both_even_when_x_is_empty() throws IOException {
        String path = file("p", SECRET).toString();
        for (String plain : List.of("other", "")) {
            assertThatThrownBy(() -> EnvironmentVariables.resolve(
                    Map.of("COUCHDB_PASSWORD", plain, "COUCHDB_PASSWORD_FILE", path), List.of("COUCHDB_PASSWORD")))
                    .isInstanceOfSatisfying(CouchworkException.class, e -> {
                        assertThat(e.exitCode()).isEqualTo(ExitCode.CONFIGURATION);
                        assertThat(e.getMessage()).startsWith("Environment variables COUCHDB_PASSWORD and "
                                + "COUCHDB_PASSWORD_FILE are both set").doesNotContain(SECRET);
                    });
        }
    }

    @Test
    void should_take_an_empty_x_file_as_unset() {
        EnvironmentVariables env = EnvironmentVariables.resolve(
                Map.of("COUCHDB_PASSWORD", "plain", "COUCHDB_PASSWORD_FILE", ""), List.of("COUCHDB_PASSWORD"));
        assertThat(env.get("COUCHDB_PASSWORD")).isEqualTo("plain");
    }

    @Test
    void should_name_the_variable_and_the_path_of_a_file_it_cannot_read() throws IOException {
        Path missing = dir.resolve("missing");
        Path directory = Files.createDirectory(dir.resolve("adir"));
        Path huge = file("huge", "x".repeat(EnvironmentVariables.MAX_FILE_BYTES + 1));
        Map<Path, String> reasons = Map.of(missing, "no such file", directory, "a directory, not a file", huge,
                "larger than " + EnvironmentVariables.MAX_FILE_BYTES + " bytes");
        reasons.forEach((path, reason) -> assertThatThrownBy(() -> EnvironmentVariables.resolve(
                Map.of("COUCHWORK_HTTP_PASSWORD_FILE", path.toString()), List.of("COUCHWORK_HTTP_PASSWORD")))
                .isInstanceOfSatisfying(CouchworkException.class, e -> {
                    assertThat(e.exitCode()).isEqualTo(ExitCode.CONFIGURATION);
                    assertThat(e.getMessage()).startsWith("Cannot read COUCHWORK_HTTP_PASSWORD_FILE (" + path + "): "
                            + reason);
                }));
    }

    @Test
    void should_leave_file_variables_alone_when_their_stem_is_not_read() {
        // COUCHWORK_RECURRING_FILE is a setting of its own (a path), TOKEN_FILE a job's: neither names a secret's file
        EnvironmentVariables env = EnvironmentVariables.resolve(
                Map.of("COUCHWORK_RECURRING_FILE", "/nonexistent/tokens.yaml", "TOKEN_FILE", "/nonexistent"),
                List.of("COUCHDB_PASSWORD", "COUCHWORK_RECURRING_FILE"));
        assertThat(env.fromFiles()).isEmpty();
        assertThat(env.get("COUCHWORK_RECURRING_FILE")).isEqualTo("/nonexistent/tokens.yaml");
    }

    @Test
    void should_find_the_variables_placeholders_read_and_give_no_setting_a_file_twin_that_is_another_setting() {
        assertThat(EnvironmentVariables.placeholdersIn("a = {{env:COUCHDB_URL:http://x:5984}}\nb = {{env:smtp.host}}"
                + "\nc = {{couchwork.home}}")).containsExactly("COUCHDB_URL", "SMTP_HOST");
        List<String> variables = KnownSettings.checks().keySet().stream().map(SettingsValidation::variableFor).toList();
        assertThat(variables).noneMatch(v -> variables.contains(v + EnvironmentVariables.FILE_SUFFIX));
    }

    @Test
    void should_read_every_placeholder_and_setting_of_a_configuration_from_files() throws IOException {
        Path config = file("application.properties", "couchwork.couchdb.password = {{env:COUCHDB_PASSWORD:}}\n");
        Map<String, String> environment = new HashMap<>();
        environment.put("COUCHDB_PASSWORD_FILE", file("db", SECRET + "\n").toString());
        environment.put("COUCHWORK_HTTP_PASSWORD_FILE", file("http", "dashboard\n").toString());
        EnvironmentVariables env = EnvironmentVariables.forConfiguration(config, environment);
        assertThat(env.get("COUCHDB_PASSWORD")).isEqualTo(SECRET);
        assertThat(env.settingOverrides()).containsExactly(Map.entry("couchwork.http.password", "dashboard"));
    }

    @Test
    void should_make_camel_env_placeholders_read_x_file_and_keep_defaults() throws Exception {
        EnvironmentVariables env = EnvironmentVariables.resolve(
                Map.of("COUCHDB_PASSWORD_FILE", file("p", SECRET + "\n").toString(), "SMTP_HOST", "mail"),
                List.of("COUCHDB_PASSWORD", "SMTP_HOST", "SMTP_PORT"));
        try (DefaultCamelContext context = new DefaultCamelContext()) {
            env.install(context.getPropertiesComponent());
            assertThat(context.resolvePropertyPlaceholders("{{env:COUCHDB_PASSWORD:}}")).isEqualTo(SECRET);
            assertThat(context.resolvePropertyPlaceholders("{{env:SMTP_HOST:127.0.0.1}}")).isEqualTo("mail");
            assertThat(context.resolvePropertyPlaceholders("{{env:SMTP_PORT:1025}}")).isEqualTo("1025");
            assertThat(context.resolvePropertyPlaceholders("{{env:smtp-host}}")).isEqualTo("mail");
        }
    }
}
