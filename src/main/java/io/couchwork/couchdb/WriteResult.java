package io.couchwork.couchdb;

/**
 * The server's answer for one document of a write: its new revision, or an error such as "conflict". {@code accepted}:
 * the request was answered 202 Accepted, not 201 Created: on a CouchDB 3 cluster the write reached fewer copies than
 * the write quorum, so another node may still accept a competing write; unconfirmed until read back.
 */
public record WriteResult(String id, String rev, String error, String reason, boolean accepted) {

    /** A confirmed answer (201), or an error. */
    public WriteResult(String id, String rev, String error, String reason) {
        this(id, rev, error, reason, false);
    }

    public boolean ok() {
        return error == null;
    }

    public boolean conflict() {
        return "conflict".equals(error);
    }

    /** The same answer as one answered 202 Accepted. */
    public WriteResult asAccepted() {
        return new WriteResult(id, rev, error, reason, true);
    }
}
