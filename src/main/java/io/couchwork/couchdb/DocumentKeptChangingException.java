package io.couchwork.couchdb;

/** An optimistic update gave up: every write it was allowed conflicted with another writer's change. */
public class DocumentKeptChangingException extends RuntimeException {

    private final String id;
    private final int writes;

    public DocumentKeptChangingException(String id, int writes) {
        super("Document " + id + " kept changing: " + writes + " writes in a row conflicted with another writer's");
        this.id = id;
        this.writes = writes;
    }

    public String id() {
        return id;
    }

    /** How many writes conflicted. */
    public int writes() {
        return writes;
    }
}
