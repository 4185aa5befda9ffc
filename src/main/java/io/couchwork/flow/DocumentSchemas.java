package io.couchwork.flow;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.apache.camel.Exchange;

/**
 * Validation at the door: a JSON Schema per document type, read from {@code config/schemas/<type>.schema.json}. A
 * document that fails it goes to the dead letters at once with every violation named; a type without a schema passes.
 */
public class DocumentSchemas {

    private final Path directory;
    private final JsonSchemaFactory factory = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);
    private final Map<String, Optional<JsonSchema>> schemas = new ConcurrentHashMap<>();

    public DocumentSchemas(Path directory) {
        this.directory = directory;
    }

    /** The flow step: throws {@link InvalidDocumentException} naming the document and what is wrong with it. */
    public void validate(Exchange exchange) {
        JsonNode doc = StateHandlers.document(exchange);
        Set<ValidationMessage> problems = problems(doc);
        if (!problems.isEmpty()) {
            throw new InvalidDocumentException("document " + doc.path("_id").asText() + " (type "
                    + doc.path("type").asText("?") + ") does not match " + directory.resolve(fileName(doc)) + ": "
                    + problems.stream().map(ValidationMessage::getMessage).sorted().collect(Collectors.joining("; ")));
        }
    }

    Set<ValidationMessage> problems(JsonNode doc) {
        return schemaFor(doc.path("type").asText("")).map(schema -> schema.validate(doc)).orElse(Set.of());
    }

    private Optional<JsonSchema> schemaFor(String type) {
        if (!type.matches("[A-Za-z0-9_-]+")) {
            return Optional.empty();
        }
        return schemas.computeIfAbsent(type, t -> {
            Path file = directory.resolve(t + ".schema.json");
            if (!Files.isRegularFile(file)) {
                return Optional.empty();
            }
            try (InputStream in = Files.newInputStream(file)) {
                return Optional.of(factory.getSchema(in));
            } catch (IOException | RuntimeException e) {
                throw new IllegalStateException("Cannot read the schema " + file + ": " + e.getMessage(), e);
            }
        });
    }

    private static String fileName(JsonNode doc) {
        return doc.path("type").asText("") + ".schema.json";
    }
}
