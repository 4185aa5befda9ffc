package io.couchwork.ops;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.couchwork.couchdb.Json;
import io.couchwork.util.ParseProblem;
import io.couchwork.util.SourceSnippet;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.MalformedInputException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Reads the items of a token file in any {@link TokenFileFormat}; every problem is one line naming file and line. */
public final class TokenFileReader {

    private static final ObjectMapper YAML = new YAMLMapper();
    private static final CsvMapper CSV = new CsvMapper();

    private TokenFileReader() {}

    public static List<TokenInput> read(Path file, TokenFileFormat format) {
        String name = file.toString();
        if (!Files.isRegularFile(file)) {
            throw new InvalidTokenFileException(name, Files.exists(file) ? "not a file" : "no such file");
        }
        try {
            return switch (format.resolve(file)) {
                case JSON -> readArray(file, Json.MAPPER, "a JSON array of tokens (one object per token; or use --format jsonl)");
                case YAML -> readArray(file, YAML, "a YAML list of tokens (one map per token)");
                case JSONL -> readJsonLines(file);
                case CSV -> readCsv(file);
                case LINES -> readLines(file);
                case AUTO -> throw new IllegalStateException("resolved above");
            };
        } catch (NoSuchFileException e) {
            throw new InvalidTokenFileException(name, "no such file");
        } catch (MalformedInputException e) {
            throw new InvalidTokenFileException(name, "not UTF-8 text");
        } catch (JsonProcessingException e) {
            throw unparsable(file, e);
        } catch (IOException e) {
            throw new InvalidTokenFileException(name, "cannot read: " + e.getMessage());
        }
    }

    private static InvalidTokenFileException unparsable(Path file, JsonProcessingException e) {
        ParseProblem problem = ParseProblem.of(e);
        return new InvalidTokenFileException(problem.where(file), problem.problem() + problem.snippet(file));
    }

    /** A template: one object of fields, JSON or YAML by extension. */
    public static ObjectNode readTemplate(Path file) {
        String name = file.toString();
        ObjectMapper mapper = name.toLowerCase().endsWith(".json") ? Json.MAPPER : YAML;
        try (InputStream in = Files.newInputStream(file)) {
            JsonNode node = mapper.readTree(in);
            if (node == null || !node.isObject()) {
                throw new InvalidTokenFileException(name, "a template is one " + (mapper == YAML ? "map" : "object")
                        + " of fields common to the tokens");
            }
            return (ObjectNode) node;
        } catch (NoSuchFileException e) {
            throw new InvalidTokenFileException(name, "no such file");
        } catch (JsonProcessingException e) {
            throw unparsable(file, e);
        } catch (IOException e) {
            throw new InvalidTokenFileException(name, "cannot read: " + e.getMessage());
        }
    }

    private static List<TokenInput> readArray(Path file, ObjectMapper mapper, String expected) throws IOException {
        List<TokenInput> items = new ArrayList<>();
        try (JsonParser parser = mapper.createParser(file.toFile())) {
            JsonToken first = parser.nextToken();
            if (first == null) {
                return items;
            }
            if (first != JsonToken.START_ARRAY) {
                throw new InvalidTokenFileException(file + ":" + parser.currentTokenLocation().getLineNr(),
                        "expected " + expected);
            }
            while (parser.nextToken() != JsonToken.END_ARRAY) {
                int line = parser.currentTokenLocation().getLineNr();
                items.add(new TokenInput(mapper.readTree(parser), file + ":" + line));
            }
            if (parser.nextToken() != null) {
                throw new InvalidTokenFileException(file + ":" + parser.currentTokenLocation().getLineNr(),
                        "unexpected content after the list of tokens");
            }
        }
        return items;
    }

    private static List<TokenInput> readJsonLines(Path file) throws IOException {
        List<TokenInput> items = new ArrayList<>();
        List<String> lines = Files.readAllLines(file);
        for (int i = 0; i < lines.size(); i++) {
            String text = i == 0 ? lines.get(i).replace("\uFEFF", "") : lines.get(i);
            if (text.isBlank()) {
                continue;
            }
            try {
                items.add(new TokenInput(Json.MAPPER.readTree(text), file + ":" + (i + 1)));
            } catch (JsonProcessingException e) {
                ParseProblem problem = ParseProblem.of(e);
                throw new InvalidTokenFileException(file + ":" + (i + 1) + ":" + problem.column(), "invalid JSON: "
                        + problem.problem() + SourceSnippet.at(file, i + 1, problem.column()));
            }
        }
        return items;
    }

    private static List<TokenInput> readCsv(Path file) throws IOException {
        List<TokenInput> items = new ArrayList<>();
        try (CsvParser parser = (CsvParser) CSV.createParser(file.toFile())) {
            parser.enable(CsvParser.Feature.WRAP_AS_ARRAY);
            parser.enable(CsvParser.Feature.SKIP_EMPTY_LINES);
            if (parser.nextToken() != JsonToken.START_ARRAY) {
                return items;
            }
            List<String> header = null;
            while (parser.nextToken() == JsonToken.START_ARRAY) {
                // a row's START_ARRAY sits where the previous row ended: its first value tells the row's line
                int line = -1;
                List<String> row = new ArrayList<>();
                while (parser.nextToken() != JsonToken.END_ARRAY) {
                    if (line < 0) {
                        line = parser.currentTokenLocation().getLineNr();
                    }
                    row.add(parser.getText());
                }
                if (header == null) {
                    header = checkedHeader(row, file + ":" + line);
                    continue;
                }
                if (row.size() != header.size()) {
                    throw new InvalidTokenFileException(file + ":" + line, row.size() + " field" + (row.size() == 1 ? "" : "s")
                            + ", header has " + header.size());
                }
                ObjectNode token = Json.object();
                for (int i = 0; i < row.size(); i++) {
                    JsonNode value = CsvValues.typed(row.get(i));
                    if (value != null) {
                        token.set(header.get(i), value);
                    }
                }
                items.add(new TokenInput(token, file + ":" + line));
            }
        }
        return items;
    }

    private static List<String> checkedHeader(List<String> header, String where) {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < header.size(); i++) {
            String name = header.get(i).trim().replace("\uFEFF", "");
            if (name.isEmpty()) {
                throw new InvalidTokenFileException(where, "header column " + (i + 1) + " has no name");
            }
            if (!seen.add(name)) {
                throw new InvalidTokenFileException(where, "header names column '" + name + "' twice");
            }
            header.set(i, name);
        }
        return header;
    }

    private static List<TokenInput> readLines(Path file) throws IOException {
        List<TokenInput> items = new ArrayList<>();
        List<String> lines = Files.readAllLines(file);
        for (int i = 0; i < lines.size(); i++) {
            String text = lines.get(i).replace("\uFEFF", "").trim();
            if (!text.isEmpty() && !text.startsWith("#")) {
                items.add(new TokenInput(TextNode.valueOf(text), file + ":" + (i + 1)));
            }
        }
        return items;
    }

}
