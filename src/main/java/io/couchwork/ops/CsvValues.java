package io.couchwork.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.regex.Pattern;

/** Types a CSV cell: a number when it reads back exactly as written (42, -3, 2.5), else the text itself. */
public final class CsvValues {

    private static final Pattern INTEGER = Pattern.compile("-?(0|[1-9][0-9]{0,17})");
    private static final Pattern DECIMAL = Pattern.compile("-?(0|[1-9][0-9]*)\\.[0-9]+");

    private CsvValues() {}

    /** The cell's JSON value; null for an empty cell, which leaves the field to the template or the defaults. */
    public static JsonNode typed(String cell) {
        if (cell == null || cell.isEmpty()) {
            return null;
        }
        // "007", "1.50" or "1e3" would not read back as written: they stay text (ids, versions, codes)
        if (INTEGER.matcher(cell).matches() && !cell.equals("-0")) {
            return LongNode.valueOf(Long.parseLong(cell));
        }
        if (DECIMAL.matcher(cell).matches()) {
            double value = Double.parseDouble(cell);
            if (Double.toString(value).equals(cell)) {
                return DoubleNode.valueOf(value);
            }
        }
        return TextNode.valueOf(cell);
    }
}
