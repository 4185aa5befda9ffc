package io.couchwork.couchdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.couchwork.CouchworkException;
import io.couchwork.ExitCode;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Reading CouchDB settings: defaults, credentials in the URL, validation, and a toString without the password. */
class CouchDbSettingsTest {

    @Test
    void should_use_defaults_when_nothing_is_set() {
        CouchDbSettings settings = read(Map.of());
        assertThat(settings.displayUrl()).isEqualTo("http://127.0.0.1:5984");
        assertThat(settings.database()).isEqualTo("couchwork");
        assertThat(settings.hasCredentials()).isFalse();
        assertThat(settings.createDatabase()).isTrue();
        assertThat(settings.waitForServer()).isEqualTo(Duration.ofMinutes(5));
    }

    @Test
    void should_take_credentials_from_the_url_and_drop_them_from_the_display_url() {
        CouchDbSettings settings = read(Map.of("couchwork.couchdb.url", "https://admin:p%40ss@couch.example.org:6984/"));
        assertThat(settings.user()).isEqualTo("admin");
        assertThat(settings.password()).isEqualTo("p@ss");
        assertThat(settings.displayUrl()).isEqualTo("https://couch.example.org:6984");
    }

    @Test
    void should_prefer_explicit_credentials_over_the_url_ones() {
        CouchDbSettings settings = read(Map.of(
                "couchwork.couchdb.url", "http://a:b@localhost:5984",
                "couchwork.couchdb.user", "worker",
                "couchwork.couchdb.password", "pw"));
        assertThat(settings.user()).isEqualTo("worker");
        assertThat(settings.password()).isEqualTo("pw");
        assertThat(settings.displayUrl()).isEqualTo("http://localhost:5984");
    }

    @Test
    void should_never_show_the_password_in_to_string() {
        CouchDbSettings settings = read(Map.of("couchwork.couchdb.user", "admin", "couchwork.couchdb.password", "hunter2"));
        assertThat(settings.toString()).doesNotContain("hunter2").contains("user='admin'").contains("password=******");
    }

    @Test
    void should_reject_a_url_that_is_not_http_and_mask_its_credentials() {
        assertThatThrownBy(() -> read(Map.of("couchwork.couchdb.url", "ftp://u:hunter2@host/x")))
                .isInstanceOfSatisfying(CouchworkException.class,
                        e -> assertThat(e.exitCode()).isEqualTo(ExitCode.CONFIGURATION))
                .hasMessageContaining("couchwork.couchdb.url")
                .hasMessageNotContaining("hunter2");
        assertThatThrownBy(() -> read(Map.of("couchwork.couchdb.url", "localhost:5984")))
                .hasMessageContaining("expected an http(s) URL");
    }

    @Test
    void should_reject_an_invalid_database_name() {
        assertThatThrownBy(() -> read(Map.of("couchwork.couchdb.database", "Tokens")))
                .hasMessageStartingWith("Invalid setting couchwork.couchdb.database = 'Tokens'");
    }

    @Test
    void should_name_the_key_of_an_invalid_duration_or_number() {
        assertThatThrownBy(() -> read(Map.of("couchwork.couchdb.wait-for-server", "soon")))
                .hasMessage("Invalid setting couchwork.couchdb.wait-for-server = 'soon': expected a duration such as 30s,"
                        + " 5m, 1h30m or PT5M");
        assertThatThrownBy(() -> read(Map.of("couchwork.couchdb.max-retries", "-1")))
                .hasMessageStartingWith("Invalid setting couchwork.couchdb.max-retries = '-1'");
        assertThatThrownBy(() -> read(Map.of("couchwork.couchdb.create-database", "maybe")))
                .hasMessageStartingWith("Invalid setting couchwork.couchdb.create-database = 'maybe'");
    }

    @Test
    void should_parse_human_and_iso_durations() {
        assertThat(read(Map.of("couchwork.couchdb.read-timeout", "1m30s")).readTimeout()).isEqualTo(Duration.ofSeconds(90));
        assertThat(read(Map.of("couchwork.couchdb.read-timeout", "PT2S")).readTimeout()).isEqualTo(Duration.ofSeconds(2));
    }

    private static CouchDbSettings read(Map<String, String> values) {
        return CouchDbSettings.read(new HashMap<>(values));
    }
}
