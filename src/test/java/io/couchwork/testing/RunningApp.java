package io.couchwork.testing;

import io.couchwork.app.CouchworkHome;
import io.couchwork.app.CouchworkMain;
import java.nio.file.Path;
import java.util.Map;
import org.apache.camel.CamelContext;
import org.apache.camel.main.Main;

/** The real Camel Main app, with the repository's config/ and routes/, started in this JVM for a test. */
public final class RunningApp implements AutoCloseable {

    private final Main main;

    private RunningApp(Main main) {
        this.main = main;
    }

    /** Starts the app from the project folder with the given property overrides; returns once Camel has started. */
    public static RunningApp start(Map<String, String> overrides) {
        CouchworkHome home = new CouchworkHome(Path.of("").toAbsolutePath());
        return start(home, home.configFile(), overrides);
    }

    public static RunningApp start(CouchworkHome home, Path configFile, Map<String, String> overrides) {
        Main main = CouchworkMain.create(home, configFile, overrides);
        main.start();
        return new RunningApp(main);
    }

    public CamelContext context() {
        return main.getCamelContext();
    }

    public <T> T bean(String name, Class<T> type) {
        return context().getRegistry().lookupByNameAndType(name, type);
    }

    @Override
    public void close() {
        main.stop();
    }
}
