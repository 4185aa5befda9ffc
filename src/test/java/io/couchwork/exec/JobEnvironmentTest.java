package io.couchwork.exec;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A job inherits the worker's environment, but not its CouchDB or dashboard credentials. */
class JobEnvironmentTest {

    @Test
    void should_drop_passwords_and_the_credentials_inside_server_urls() {
        Map<String, String> env = new HashMap<>(Map.of("COUCHDB_PASSWORD", "s3cret", "COUCHWORK_HTTP_PASSWORD", "pw",
                "COUCHDB_URL", "http://bob:s3cret@db.example:5984", "COUCHDB_USER", "bob", "PATH", "/bin"));
        JobEnvironment.withoutCredentials(env);
        assertThat(env).isEqualTo(Map.of("COUCHDB_URL", "http://db.example:5984", "COUCHDB_USER", "bob",
                "PATH", "/bin"));
    }
}
