package io.couchwork.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;

/** A YAML syntax error as file:line:column, the problem, and the offending line with a caret under it. */
final class YamlErrorMessage {

    private YamlErrorMessage() {}

    /** The message for the first YAML syntax error in {@code error}'s causes, if there is one. */
    static Optional<String> describe(Throwable error) {
        for (Throwable t = error; t != null && t.getCause() != t; t = t.getCause()) {
            if (t instanceof MarkedYamlEngineException yaml && yaml.getProblemMark().isPresent()) {
                return Optional.of(describe(yaml, yaml.getProblemMark().get()));
            }
        }
        return Optional.empty();
    }

    private static String describe(MarkedYamlEngineException yaml, Mark mark) {
        String file = mark.getName().replaceFirst("^file:", "");
        StringBuilder message = new StringBuilder("invalid YAML in ").append(file).append(':')
                .append(mark.getLine() + 1).append(':').append(mark.getColumn() + 1).append(": ").append(yaml.getProblem());
        yaml.getContextMark().filter(context -> yaml.getContext() != null).ifPresent(context -> message.append(" (")
                .append(yaml.getContext()).append(" at line ").append(context.getLine() + 1).append(", column ")
                .append(context.getColumn() + 1).append(')'));
        Mark shown = mark;
        Optional<String> text = lineOf(file, mark.getLine());
        if (text.isPresent() && text.get().isBlank() && yaml.getContextMark().isPresent()) {
            shown = yaml.getContextMark().get(); // the end of the file: the line where the unfinished part began
            text = lineOf(file, shown.getLine());
        }
        Mark at = shown;
        text.ifPresent(line -> appendSnippet(message, at, line));
        return message.toString();
    }

    private static void appendSnippet(StringBuilder message, Mark mark, String text) {
        String number = Integer.toString(mark.getLine() + 1);
        message.append('\n').append("  ").append(number).append(" | ").append(text)
                .append('\n').append("  ").append(" ".repeat(number.length())).append(" | ")
                .append(" ".repeat(Math.min(mark.getColumn(), text.length()))).append('^');
    }

    private static Optional<String> lineOf(String file, int index) {
        try {
            List<String> lines = Files.readAllLines(Path.of(file));
            return Optional.of(index < lines.size() ? lines.get(index).stripTrailing() : "");
        } catch (IOException | RuntimeException e) {
            return Optional.empty(); // not a file (a classpath resource): the position alone must do
        }
    }
}
