package io.couchwork.util;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.nio.file.Path;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * Where a JSON or YAML file failed to parse (1-based line and column) and why, in the parser's words without Jackson's
 * source description; the line shown is where the unfinished construct began when the file simply ended.
 */
public record ParseProblem(int line, int column, String problem, int shownLine, int shownColumn) {

    public static ParseProblem of(JsonProcessingException e) {
        for (Throwable t = e; t != null && t.getCause() != t; t = t.getCause()) {
            if (t instanceof MarkedYAMLException yaml && yaml.getProblemMark() != null) {
                Mark at = yaml.getProblemMark();
                Mark context = yaml.getContextMark();
                return marked(yaml.getProblem(), at.getLine(), at.getColumn(), yaml.getContext(),
                        context == null ? -1 : context.getLine(), context == null ? -1 : context.getColumn());
            }
        }
        int line = e.getLocation() == null ? 1 : Math.max(1, e.getLocation().getLineNr());
        int column = e.getLocation() == null ? 1 : Math.max(1, e.getLocation().getColumnNr());
        return new ParseProblem(line, column, flat(e.getOriginalMessage()), line, column);
    }

    /** A YAML error of Camel's route parser (snakeyaml-engine), which marks it as Jackson's YAML parser does. */
    public static ParseProblem of(MarkedYamlEngineException yaml, org.snakeyaml.engine.v2.exceptions.Mark at) {
        var context = yaml.getContextMark().orElse(null);
        return marked(yaml.getProblem(), at.getLine(), at.getColumn(), yaml.getContext(),
                context == null ? -1 : context.getLine(), context == null ? -1 : context.getColumn());
    }

    /**
     * From a YAML parser's marks (0-based; a context line of -1 when there is no context mark; the context named only
     * when it has both a text and a mark). The line shown is where the unfinished construct began when the problem is
     * the start of a later line (the file ended, say).
     */
    private static ParseProblem marked(String problem, int line, int column, String context, int contextLine,
            int contextColumn) {
        String text = problem + (context == null || contextLine < 0 ? ""
                : " (" + context + " at line " + (contextLine + 1) + ", column " + (contextColumn + 1) + ")");
        boolean showContext = contextLine >= 0 && line > contextLine && column == 0;
        return new ParseProblem(line + 1, column + 1, flat(text), (showContext ? contextLine : line) + 1,
                (showContext ? contextColumn : column) + 1);
    }

    /** "file:line:column" */
    public String where(Object file) {
        return file + ":" + line + ":" + column;
    }

    /** The offending line of {@code file} with a caret, on lines of their own (empty when it cannot be shown). */
    public String snippet(Path file) {
        String shown = SourceSnippet.at(file, shownLine, shownColumn);
        return shown.isEmpty() && shownLine != line ? SourceSnippet.at(file, line, column) : shown;
    }

    private static String flat(String text) {
        return text == null ? "" : text.replaceAll("\\s*\\n\\s*", " ").strip();
    }
}
