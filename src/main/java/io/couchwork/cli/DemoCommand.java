package io.couchwork.cli;

import io.couchwork.app.CouchworkHome;
import io.couchwork.devserver.BundledCouchServer;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** couchwork demo: runs Couchwork against COUCHDB_URL, or against the bundled server started for the occasion. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Run the demo against COUCHDB_URL, or else the bundled server.",
            "When COUCHDB_URL is unset, the bundled server is installed on first use, started for the demo and",
            "stopped after it."})
public final class DemoCommand implements Callable<Integer> {

    @Mixin
    AppOptions app;

    @Override
    public Integer call() throws Exception {
        String url = System.getenv("COUCHDB_URL");
        if (url != null && !url.isBlank()) {
            return app.runApp(Map.of());
        }
        try (BundledCouchServer server = BundledCouchServer.start(CouchworkHome.current().testServerDirectory(),
                BundledCouchServer.Options.inMemory())) {
            System.out.println("Started the bundled CouchDB-API server on " + server.url());
            return app.runApp(Map.of(
                    "couchwork.couchdb.url", server.url(),
                    "couchwork.couchdb.user", "",
                    "couchwork.couchdb.password", ""));
        }
    }
}
