package io.couchwork.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** A throw-away Couchwork folder for one benchmark run: minimal settings and the run's single route file. */
final class BenchHome {

    /** The step that records when a job or handler starts (the bean is bound as benchProbe). */
    static final String PROBE_STEP = """
                    - to:
                        uri: "bean:benchProbe?method=started"
            """;

    private BenchHome() {}

    static Path create(String name, String routeYaml) throws IOException {
        Path home = Files.createTempDirectory("couchwork-" + name + "-");
        Files.createDirectories(home.resolve("config"));
        Files.createDirectories(home.resolve("routes"));
        Files.writeString(home.resolve("config/application.properties"), """
                camel.main.name = couchwork-%s
                camel.main.routes-include-pattern = file:{{couchwork.home}}/routes/*.camel.yaml
                camel.main.jmx-enabled = false
                """.formatted(name));
        Files.writeString(home.resolve("routes/" + name + ".camel.yaml"), routeYaml);
        return home;
    }

    static void delete(Path root) throws IOException {
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
