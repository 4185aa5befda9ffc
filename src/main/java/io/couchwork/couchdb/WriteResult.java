package io.couchwork.couchdb;

/** The server's answer for one document of a write: its new revision, or an error such as "conflict". */
public record WriteResult(String id, String rev, String error, String reason) {

    public boolean ok() {
        return error == null;
    }

    public boolean conflict() {
        return "conflict".equals(error);
    }
}
