package io.couchwork.testing;

import io.couchwork.devserver.BundledCouchServer;
import java.nio.file.Path;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit 5 extension giving tests a {@link TestCouch}: the server named by COUCHDB_URL (+ COUCHDB_USER,
 * COUCHDB_PASSWORD) when set, else the bundled PouchDB Server, started once for the whole run.
 */
public final class CouchDbServerExtension implements ParameterResolver, AfterEachCallback {

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(CouchDbServerExtension.class);

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == TestCouch.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return context.getStore(NAMESPACE).getOrComputeIfAbsent(TestCouch.class, k -> newTestCouch(context), TestCouch.class);
    }

    @Override
    public void afterEach(ExtensionContext context) {
        TestCouch couch = context.getStore(NAMESPACE).get(TestCouch.class, TestCouch.class);
        if (couch != null) {
            couch.deleteDatabases();
        }
    }

    private static TestCouch newTestCouch(ExtensionContext context) {
        String url = System.getenv("COUCHDB_URL");
        if (url != null && !url.isBlank()) {
            return new TestCouch(url, env("COUCHDB_USER"), env("COUCHDB_PASSWORD"), false);
        }
        SharedServer shared = context.getRoot().getStore(NAMESPACE)
                .getOrComputeIfAbsent(SharedServer.class, k -> new SharedServer(), SharedServer.class);
        return new TestCouch(shared.url(), "", "", true);
    }

    /** Starts a further bundled server, e.g. one with an admin for credential tests; the caller closes it. */
    public static BundledCouchServer startBundledServer(BundledCouchServer.Options options) {
        return BundledCouchServer.start(Path.of("testserver"), options);
    }

    private static String env(String name) {
        String value = System.getenv(name);
        return value == null ? "" : value;
    }

    /** The bundled server for the whole run, closed by JUnit when the root context closes. */
    private static final class SharedServer implements ExtensionContext.Store.CloseableResource {
        private BundledCouchServer server = startBundledServer(BundledCouchServer.Options.inMemory());

        /**
         * The server's URL, after starting a new one if it died: PouchDB Server crashes when a database is deleted
         * while a longpoll on it is pending. Every test uses a fresh database, so a new server loses nothing.
         */
        synchronized String url() {
            if (!server.isAlive()) {
                System.err.println("The bundled test server died (see " + server.logFile() + "); starting a new one");
                server = startBundledServer(BundledCouchServer.Options.inMemory());
            }
            return server.url();
        }

        @Override
        public synchronized void close() {
            server.close();
        }
    }
}
