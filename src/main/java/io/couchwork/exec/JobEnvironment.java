package io.couchwork.exec;

import io.couchwork.couchdb.SecretMasking;
import java.util.List;
import java.util.Map;

/** Keeps the worker's own credentials out of the environment its jobs inherit, where any job could print them. */
public final class JobEnvironment {

    private static final List<String> CREDENTIALS = List.of("COUCHDB_PASSWORD", "COUCHWORK_COUCHDB_PASSWORD",
            "COUCHWORK_HTTP_PASSWORD");
    private static final List<String> URLS = List.of("COUCHDB_URL", "COUCHWORK_COUCHDB_URL");

    private JobEnvironment() {}

    /** Drops password variables and the credentials inside server URLs; everything else is left as it is. */
    public static void withoutCredentials(Map<String, String> inherited) {
        CREDENTIALS.forEach(inherited::remove);
        for (String name : URLS) {
            inherited.computeIfPresent(name, (k, url) -> SecretMasking.maskUrl(url).replace("***@", ""));
        }
    }
}
