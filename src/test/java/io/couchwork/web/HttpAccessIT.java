package io.couchwork.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.couchwork.CouchworkException;
import io.couchwork.ExitCode;
import io.couchwork.testing.HttpApp;
import io.couchwork.testing.RunningApp;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which addresses count as local, and the settings the guard turns down before anything starts. */
class HttpAccessIT {

    @Test
    void should_treat_loopback_addresses_as_local_and_the_wildcard_as_exposed() {
        assertThat(HttpAccess.isLoopback("127.0.0.1")).isTrue();
        assertThat(HttpAccess.isLoopback("localhost")).isTrue();
        assertThat(HttpAccess.isLoopback("::1")).isTrue();
        assertThat(HttpAccess.isLoopback("0.0.0.0")).isFalse();
    }

    @Test
    void should_refuse_a_password_the_credentials_file_cannot_hold_and_a_user_without_password() {
        assertThat(refusal(Map.of("couchwork.http.user", "ops", "couchwork.http.password", "a,b")))
                .isEqualTo("Invalid setting couchwork.http.password: it may not contain commas or line breaks, nor start"
                        + " or end with a space");
        assertThat(refusal(Map.of("couchwork.http.user", "ops")))
                .isEqualTo("Set both couchwork.http.user and couchwork.http.password, or neither");
    }

    /** The one-line message the app stops with; the guard runs before the server is even contacted. */
    private static String refusal(Map<String, String> extra) {
        Map<String, String> settings = new HashMap<>(HttpApp.onFreePort().settings());
        settings.putAll(extra);
        settings.put("couchwork.couchdb.url", "http://127.0.0.1:9"); // never reached
        Throwable[] failure = new Throwable[1];
        assertThatThrownBy(() -> RunningApp.start(settings).close()).satisfies(e -> failure[0] = e);
        CouchworkException found = CouchworkException.findIn(failure[0]);
        assertThat(found).isNotNull();
        assertThat(found.exitCode()).isEqualTo(ExitCode.CONFIGURATION);
        return found.getMessage();
    }
}
