package io.couchwork.ops;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Optional;

/** One bulk change to tokens: the new revision of a token, or empty when it needs none. */
public interface TokenChange {

    /** What the change does, for summaries: "set", "reset", "delete". */
    String verb();

    /** The document to write for this current token (never the same object); empty: nothing to change. */
    Optional<ObjectNode> apply(ObjectNode token);

    /** Bytes each changed document adds to a request beyond the token itself (inline attachments), to size batches. */
    default long extraBytesPerDocument() {
        return 0;
    }
}
