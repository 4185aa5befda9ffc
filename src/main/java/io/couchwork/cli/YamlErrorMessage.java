package io.couchwork.cli;

import io.couchwork.util.ParseProblem;
import java.nio.file.Path;
import java.util.Optional;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;

/** A route file's YAML error as file:line:column, the problem, and the offending line with a caret under it. */
final class YamlErrorMessage {

    private YamlErrorMessage() {}

    /** The message for the first YAML error (Camel's YAML DSL parser) in {@code error}'s causes, if there is one. */
    static Optional<String> describe(Throwable error) {
        for (Throwable t = error; t != null && t.getCause() != t; t = t.getCause()) {
            if (t instanceof MarkedYamlEngineException yaml && yaml.getProblemMark().isPresent()) {
                return Optional.of(describe(yaml, yaml.getProblemMark().get()));
            }
        }
        return Optional.empty();
    }

    private static String describe(MarkedYamlEngineException yaml, Mark mark) {
        Path file = Path.of(mark.getName().replaceFirst("^file:", ""));
        ParseProblem problem = ParseProblem.of(yaml, mark);
        return "invalid YAML in " + problem.where(file) + ": " + problem.problem() + problem.snippet(file);
    }
}
