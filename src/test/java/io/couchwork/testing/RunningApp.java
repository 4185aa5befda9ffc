package io.couchwork.testing;

import io.couchwork.app.CouchworkHome;
import io.couchwork.app.CouchworkMain;
import java.nio.file.Path;
import java.time.Clock;
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
        return start(home, configFile, overrides, null);
    }

    /** Starts the app with a clock of the test's (for leases, retries and not-before times). */
    public static RunningApp start(Map<String, String> overrides, Clock clock) {
        CouchworkHome home = new CouchworkHome(Path.of("").toAbsolutePath());
        return start(home, home.configFile(), overrides, clock);
    }

    public static RunningApp start(CouchworkHome home, Path configFile, Map<String, String> overrides, Clock clock) {
        return start(home, configFile, overrides, clock, Map.of());
    }

    /** Starts the app with beans of the test's in its registry (a recorder a test route calls, say). */
    public static RunningApp start(CouchworkHome home, Path configFile, Map<String, String> overrides, Clock clock,
            Map<String, Object> beans) {
        Main main = CouchworkMain.create(home, configFile, overrides);
        if (clock != null) {
            main.bind("clock", clock);
        }
        beans.forEach(main::bind);
        main.start();
        return new RunningApp(main);
    }

    /** Starts the app reading this environment in place of the process's ({{env:X}}, X_FILE and COUCHWORK_*_FILE). */
    public static RunningApp startWithEnvironment(Map<String, String> overrides, Map<String, String> environment) {
        CouchworkHome home = new CouchworkHome(Path.of("").toAbsolutePath());
        Main main = CouchworkMain.create(home, home.configFile(), overrides, environment);
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
