package io.couchwork.app;

import java.nio.file.Path;

/**
 * The folder Couchwork runs from: holds config/, routes/ and testserver/. The launcher names it in the JVM property
 * couchwork.launch.home; the app gives it to routes and configuration as the placeholder {{couchwork.home}}.
 */
public record CouchworkHome(Path root) {

    /** The placeholder routes and configuration use. */
    public static final String PROPERTY = "couchwork.home";
    /** The JVM property the launcher sets; not couchwork.home, since a JVM property would outrank each app's own. */
    public static final String LAUNCH_PROPERTY = "couchwork.launch.home";

    public static CouchworkHome current() {
        String configured = System.getProperty(LAUNCH_PROPERTY);
        return new CouchworkHome(Path.of(configured == null || configured.isBlank() ? "." : configured)
                .toAbsolutePath().normalize());
    }

    public Path configFile() {
        return root.resolve("config").resolve("application.properties");
    }

    public Path routesDirectory() {
        return root.resolve("routes");
    }

    public Path testServerDirectory() {
        return root.resolve("testserver");
    }
}
