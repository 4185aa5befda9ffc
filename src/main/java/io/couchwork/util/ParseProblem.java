package io.couchwork.util;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.nio.file.Path;
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
                String problem = yaml.getProblem() + (yaml.getContext() == null || context == null ? ""
                        : " (" + yaml.getContext() + " at line " + (context.getLine() + 1) + ", column "
                                + (context.getColumn() + 1) + ")");
                Mark shown = context != null && at.getLine() > context.getLine() && at.getColumn() == 0 ? context : at;
                return new ParseProblem(at.getLine() + 1, at.getColumn() + 1, flat(problem), shown.getLine() + 1,
                        shown.getColumn() + 1);
            }
        }
        int line = e.getLocation() == null ? 1 : Math.max(1, e.getLocation().getLineNr());
        int column = e.getLocation() == null ? 1 : Math.max(1, e.getLocation().getColumnNr());
        return new ParseProblem(line, column, flat(e.getOriginalMessage()), line, column);
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
