package io.couchwork.app;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** The route files Camel Main loads (its include pattern), searched for where a route id is declared. */
public final class RouteFiles {

    private static final Pattern ID = Pattern.compile("^\\s*id:\\s*[\"']?([^\"'\\s#]+)[\"']?\\s*(#.*)?$");

    private final String includePattern;

    /** {@code includePattern}: Camel's routes-include-pattern, e.g. file:/app/routes/*.camel.yaml (comma-separated). */
    public RouteFiles(String includePattern) {
        this.includePattern = includePattern == null ? "" : includePattern;
    }

    /** "file line N" for each declaration of the id as a route's id, in file name order. */
    public List<String> declarationsOf(String routeId) {
        List<String> found = new ArrayList<>();
        for (Path file : files()) {
            try {
                List<String> lines = Files.readAllLines(file);
                for (int i = 0; i < lines.size(); i++) {
                    Matcher m = ID.matcher(lines.get(i));
                    if (m.matches() && m.group(1).equals(routeId) && isRouteId(lines, i)) {
                        found.add(file + " line " + (i + 1));
                    }
                }
            } catch (IOException unreadable) {
                // Camel names files it cannot read itself
            }
        }
        return found;
    }

    /** True when the id line belongs to a "- route:" element rather than a routeConfiguration or a step. */
    private static boolean isRouteId(List<String> lines, int idLine) {
        int indent = lines.get(idLine).indexOf("id:");
        for (int i = idLine - 1; i >= 0; i--) {
            String line = lines.get(i);
            int lineIndent = line.length() - line.stripLeading().length();
            if (!line.isBlank() && !line.stripLeading().startsWith("#") && lineIndent < indent) {
                return line.strip().matches("-?\\s*route:");
            }
        }
        return false;
    }

    private List<Path> files() {
        List<Path> files = new ArrayList<>();
        for (String pattern : includePattern.split(",")) {
            String path = pattern.strip();
            if (!path.startsWith("file:")) {
                continue;
            }
            Path glob = Path.of(path.substring("file:".length()));
            Path dir = glob.getParent();
            if (dir == null || !Files.isDirectory(dir)) {
                continue;
            }
            PathMatcher matcher = FileSystems.getDefault().getPathMatcher("glob:" + glob.getFileName());
            try (Stream<Path> listing = Files.list(dir)) {
                listing.filter(p -> matcher.matches(p.getFileName())).sorted().forEach(files::add);
            } catch (IOException unreadable) {
                // as above
            }
        }
        return files;
    }
}
