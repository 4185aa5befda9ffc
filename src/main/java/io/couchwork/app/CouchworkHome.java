package io.couchwork.app;

import java.nio.file.Path;

/** The folder Couchwork runs from: holds config/, routes/ and testserver/; set by the launcher as couchwork.home. */
public record CouchworkHome(Path root) {

    public static final String PROPERTY = "couchwork.home";

    public static CouchworkHome current() {
        String configured = System.getProperty(PROPERTY);
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
