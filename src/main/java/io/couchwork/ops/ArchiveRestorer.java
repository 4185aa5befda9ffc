package io.couchwork.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.couchwork.CouchworkException;
import io.couchwork.ExitCode;
import io.couchwork.couchdb.CouchDatabase;
import io.couchwork.couchdb.Json;
import io.couchwork.token.TokenFields;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

/**
 * Puts archived tokens back, and the design documents of their token sets: each document without _rev and with its
 * attachments inline, in _bulk_docs batches bounded by count and size. The archive is checked whole first (complete,
 * readable, every attachment present), so a damaged archive writes nothing. A document that exists already is a
 * conflict, left as it is.
 */
public final class ArchiveRestorer {

    private final CouchDatabase database;
    private final int batchSize;
    private final OpsProgress progress;

    public ArchiveRestorer(CouchDatabase database, int batchSize, OpsProgress progress) {
        this.database = database;
        this.batchSize = batchSize;
        this.progress = progress;
    }

    /** Restores the archive; conflicts in the summary are documents that exist. */
    public WriteSummary restore(Path archive) {
        long total = read(archive, null);
        WriteSummary summary = new WriteSummary();
        List<ObjectNode> batch = new ArrayList<>();
        long[] bytes = {0};
        long[] written = {0};
        java.util.Set<String> sets = new java.util.TreeSet<>();
        read(archive, doc -> {
            if (doc.path("type").isTextual()) {
                sets.add(doc.path("type").asText());
            }
            long size = Json.bytes(doc).length;
            if (!batch.isEmpty() && (batch.size() >= batchSize || bytes[0] + size > TokenUpdater.MAX_REQUEST_BYTES)) {
                written[0] += flush(batch, summary);
                bytes[0] = 0;
                progress.update("restoring", written[0], total);
            }
            batch.add(doc);
            bytes[0] += size;
        });
        written[0] += flush(batch, summary);
        progress.update("restoring", written[0], total);
        progress.finish();
        // the sets' views (PiCaS's Monitor for "token"), so that pilots and status work on a database restored afresh
        new io.couchwork.token.DesignDocuments(database).installFor(sets);
        return summary;
    }

    private int flush(List<ObjectNode> batch, WriteSummary summary) {
        int size = batch.size();
        if (size > 0) {
            new BulkWriter(database, Integer.MAX_VALUE).writeBatch(batch, summary);
            batch.clear();
        }
        return size;
    }

    /** Reads every document with its attachments inline; with a null consumer only checks. Returns the count. */
    private static long read(Path archive, java.util.function.Consumer<ObjectNode> documents) {
        String name = archive.toString();
        long count = 0;
        boolean manifest = false;
        try (InputStream file = new BufferedInputStream(Files.newInputStream(archive));
                GzipCompressorInputStream gzip = new GzipCompressorInputStream(file);
                TarArchiveInputStream tar = new TarArchiveInputStream(gzip, "UTF-8")) {
            ObjectNode current = null;
            TarArchiveEntry entry;
            while ((entry = tar.getNextEntry()) != null) {
                String entryName = entry.getName();
                if (entryName.startsWith(ArchiveLayout.DOCUMENTS) && entryName.endsWith(".json")) {
                    count += complete(current, documents, name);
                    current = (ObjectNode) Json.MAPPER.readTree(tar.readAllBytes());
                    if (!ArchiveLayout.documentId(entryName).equals(current.path("_id").asText())) {
                        throw invalid(name, entryName + " holds document " + current.path("_id"));
                    }
                } else if (entryName.startsWith(ArchiveLayout.ATTACHMENTS)) {
                    String[] attachment = ArchiveLayout.attachment(entryName);
                    JsonNode stub = current == null ? null
                            : current.path(TokenFields.ATTACHMENTS).get(attachment[1]);
                    if (current == null || !current.path("_id").asText().equals(attachment[0]) || !(stub instanceof ObjectNode)) {
                        throw invalid(name, entryName + " belongs to no document before it");
                    }
                    byte[] bytes = tar.readAllBytes();
                    ObjectNode inline = Json.object();
                    inline.put("content_type", stub.path("content_type").asText("application/octet-stream"));
                    inline.put("data", documents == null ? "" : Base64.getEncoder().encodeToString(bytes));
                    ((ObjectNode) current.get(TokenFields.ATTACHMENTS)).set(attachment[1], inline);
                } else if (entryName.equals(ArchiveLayout.MANIFEST)) {
                    JsonNode info = Json.MAPPER.readTree(tar.readAllBytes());
                    if (!ArchiveLayout.FORMAT.equals(info.path("format").asText())) {
                        throw invalid(name, "not a Couchwork token archive");
                    }
                    manifest = true;
                }
            }
            count += complete(current, documents, name);
        } catch (NoSuchFileException e) {
            throw new CouchworkException(name + ": no such file", ExitCode.USAGE);
        } catch (IOException | ClassCastException | IllegalArgumentException e) {
            throw invalid(name, "cannot read the archive: " + e.getMessage());
        }
        if (!manifest) {
            throw invalid(name, "incomplete archive (no " + ArchiveLayout.MANIFEST + ")");
        }
        return count;
    }

    /** Hands over a document whose attachments have all been read. */
    private static int complete(ObjectNode doc, java.util.function.Consumer<ObjectNode> documents, String archive) {
        if (doc == null) {
            return 0;
        }
        JsonNode attachments = doc.get(TokenFields.ATTACHMENTS);
        if (attachments != null) {
            for (Iterator<String> names = attachments.fieldNames(); names.hasNext(); ) {
                String attachment = names.next();
                if (!attachments.path(attachment).has("data")) {
                    throw invalid(archive, "attachment '" + attachment + "' of " + doc.path("_id").asText() + " is missing");
                }
            }
        }
        if (documents != null) {
            documents.accept(doc);
        }
        return 1;
    }

    private static CouchworkException invalid(String archive, String problem) {
        return new CouchworkException(archive + ": " + problem, ExitCode.USAGE);
    }
}
