package io.couchwork.couchdb;

/**
 * The server refused a write for another reason than a conflict: a validation function, a design document it cannot
 * compile. Retrying the same write cannot help. An IllegalStateException because callers of DesignDocuments catch
 * that as a refused design document.
 */
public class DocumentRejectedException extends IllegalStateException {

    private final WriteResult result;

    public DocumentRejectedException(String id, WriteResult result) {
        super("Cannot write " + id + ": " + result.error() + " " + result.reason());
        this.result = result;
    }

    public WriteResult result() {
        return result;
    }
}
