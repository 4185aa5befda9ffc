package io.couchwork.couchdb;

/** What the start-up check found: the server's product and version, who we are, and the database. */
public record ServerDescription(String product, String version, String user, String database, long documentCount) {

    public String summary(String url) {
        return "Connected to " + product + " version " + version + " at " + url + " as " + user + "; database '" + database
                + "' holds " + documentCount + " documents";
    }
}
