package io.couchwork.couchdb;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** The one Jackson mapper: documents are read and written as trees, so fields Couchwork does not know survive intact. */
public final class Json {

    // any document CouchDB stored must be readable, or one deep or large document would break every feed and view read
    // it is in; reading trees is iterative, so depth costs no stack (writing is not: see TokenProblems.MAX_DEPTH)
    public static final ObjectMapper MAPPER = new ObjectMapper(JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(Integer.MAX_VALUE)
                    .maxStringLength(Integer.MAX_VALUE).maxDocumentLength(-1).build())
            .build())
            .configure(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS, false);

    private Json() {}

    public static ObjectNode object() {
        return MAPPER.createObjectNode();
    }

    public static <T> T read(InputStream in, Class<T> type) {
        try (InputStream stream = in) {
            return MAPPER.readValue(stream, type);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot parse the server's JSON answer: " + e.getMessage(), e);
        }
    }

    public static byte[] bytes(Object value) {
        try {
            return MAPPER.writeValueAsBytes(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static String text(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
