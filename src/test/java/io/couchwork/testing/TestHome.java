package io.couchwork.testing;

import io.couchwork.app.CouchworkHome;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;

/** A Couchwork folder for one test: the repository's config/ (settings and schemas) and a chosen set of routes. */
public final class TestHome {

    private TestHome() {}

    /** Copies config/ and the named files of routes/, then writes the extra route files given as name → YAML. */
    public static CouchworkHome create(Path dir, Iterable<String> repositoryRoutes, Map<String, String> extraRoutes) {
        try {
            Path config = dir.resolve("config");
            try (Stream<Path> files = Files.walk(Path.of("config"))) {
                for (Path source : files.toList()) {
                    Path target = config.resolve(Path.of("config").relativize(source).toString());
                    if (Files.isDirectory(source)) {
                        Files.createDirectories(target);
                    } else {
                        Files.copy(source, target);
                    }
                }
            }
            Path routes = Files.createDirectories(dir.resolve("routes"));
            for (String file : repositoryRoutes) {
                Files.copy(Path.of("routes", file), routes.resolve(file));
            }
            for (Map.Entry<String, String> route : extraRoutes.entrySet()) {
                Files.writeString(routes.resolve(route.getKey()), route.getValue());
            }
            return new CouchworkHome(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
