package io.couchwork.ops;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/**
 * Entry names in a token archive: {@code documents/<id>.json} (the document without _rev, attachments as stubs),
 * {@code attachments/<id>/<name>} (the bytes), and {@code manifest.json} last (counts; its presence says the archive is
 * complete). Ids and names are URL-encoded, so that any id makes one safe file name.
 */
final class ArchiveLayout {

    static final String DOCUMENTS = "documents/";
    static final String ATTACHMENTS = "attachments/";
    static final String MANIFEST = "manifest.json";
    static final String FORMAT = "couchwork-token-archive";

    private ArchiveLayout() {}

    static String documentEntry(String id) {
        return DOCUMENTS + encode(id) + ".json";
    }

    static String attachmentEntry(String id, String name) {
        return ATTACHMENTS + encode(id) + "/" + encode(name);
    }

    /** The document id of a documents/ entry. */
    static String documentId(String entry) {
        return decode(entry.substring(DOCUMENTS.length(), entry.length() - ".json".length()));
    }

    /** {id, attachment name} of an attachments/ entry. */
    static String[] attachment(String entry) {
        String rest = entry.substring(ATTACHMENTS.length());
        int slash = rest.indexOf('/');
        return new String[] {decode(rest.substring(0, slash)), decode(rest.substring(slash + 1))};
    }

    private static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8);
    }

    private static String decode(String text) {
        return URLDecoder.decode(text, StandardCharsets.UTF_8);
    }
}
