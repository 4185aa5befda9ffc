package io.couchwork.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.ibm.cloud.cloudant.v1.model.GetAttachmentOptions;
import com.ibm.cloud.cloudant.v1.model.PostAllDocsOptions;
import io.couchwork.couchdb.CouchDatabase;
import io.couchwork.couchdb.Json;
import io.couchwork.token.TokenFields;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;

/**
 * Writes tokens to a .tar.gz: each document as JSON (without _rev) followed by its attachments as files, then a
 * manifest. Documents come with their attachments inline, a page at a time; the archive appears only when complete.
 */
public final class ArchiveWriter {

    private final CouchDatabase database;
    private final int pageSize;
    private final Clock clock;
    private final OpsProgress progress;

    public ArchiveWriter(CouchDatabase database, int pageSize, Clock clock, OpsProgress progress) {
        this.database = database;
        this.pageSize = pageSize;
        this.clock = clock;
        this.progress = progress;
    }

    /** Archives these documents into {@code target}; returns {documents, attachments} written. */
    public long[] write(List<String> ids, Path target, String description) {
        Path absolute = target.toAbsolutePath();
        Path partial = absolute.resolveSibling(absolute.getFileName() + ".partial");
        long documents = 0;
        long attachments = 0;
        try {
            try (OutputStream file = new BufferedOutputStream(Files.newOutputStream(partial));
                    GzipCompressorOutputStream gzip = new GzipCompressorOutputStream(file);
                    TarArchiveOutputStream tar = new TarArchiveOutputStream(gzip, "UTF-8")) {
                tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
                tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
                for (int from = 0; from < ids.size(); from += pageSize) {
                    for (JsonNode doc : withAttachments(ids.subList(from, Math.min(ids.size(), from + pageSize)))) {
                        attachments += writeDocument(tar, (ObjectNode) doc);
                        documents++;
                    }
                    progress.update("archiving", Math.min(ids.size(), from + pageSize), ids.size());
                }
                ObjectNode manifest = Json.object();
                manifest.put("format", ArchiveLayout.FORMAT);
                manifest.put("version", 1);
                manifest.put("database", database.name());
                manifest.put("selection", description);
                manifest.put("created", clock.instant().toString());
                manifest.put("documents", documents);
                manifest.put("attachments", attachments);
                put(tar, ArchiveLayout.MANIFEST, Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(manifest));
            }
            Files.move(partial, absolute, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write " + target + ": " + e.getMessage(), e);
        } finally {
            try {
                Files.deleteIfExists(partial);
            } catch (IOException ignored) {
                // best effort: the partial file is named as such
            }
        }
        progress.finish();
        return new long[] {documents, attachments};
    }

    private List<JsonNode> withAttachments(List<String> ids) {
        JsonNode result = Json.read(database.client().postAllDocsAsStream(new PostAllDocsOptions.Builder(database.name())
                .keys(new ArrayList<>(ids)).includeDocs(true).attachments(true).build()).execute().getResult(), JsonNode.class);
        List<JsonNode> docs = new ArrayList<>();
        for (JsonNode row : result.path("rows")) {
            if (row.path("doc").isObject()) {
                docs.add(row.get("doc"));
            }
        }
        return docs;
    }

    private int writeDocument(TarArchiveOutputStream tar, ObjectNode doc) throws IOException {
        String id = doc.path("_id").asText();
        ObjectNode archived = doc.deepCopy();
        archived.remove("_rev");
        List<Map.Entry<String, byte[]>> files = new ArrayList<>();
        JsonNode attachments = archived.get(TokenFields.ATTACHMENTS);
        if (attachments instanceof ObjectNode all) {
            for (Iterator<Map.Entry<String, JsonNode>> it = all.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> attachment = it.next();
                JsonNode data = attachment.getValue().get("data");
                byte[] bytes = data != null ? Base64.getDecoder().decode(data.asText()) : fetch(id, attachment.getKey());
                ObjectNode stub = Json.object();
                stub.put("content_type", attachment.getValue().path("content_type").asText("application/octet-stream"));
                stub.put("length", bytes.length);
                if (attachment.getValue().has("digest")) {
                    stub.set("digest", attachment.getValue().get("digest"));
                }
                attachment.setValue(stub);
                files.add(Map.entry(attachment.getKey(), bytes));
            }
        }
        put(tar, ArchiveLayout.documentEntry(id), Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(archived));
        for (Map.Entry<String, byte[]> file : files) {
            put(tar, ArchiveLayout.attachmentEntry(id, file.getKey()), file.getValue());
        }
        return files.size();
    }

    /** A server that ignored attachments=true sent stubs: fetch the bytes one by one. */
    private byte[] fetch(String id, String name) throws IOException {
        try (InputStream in = database.client().getAttachment(new GetAttachmentOptions.Builder(database.name(), id, name)
                .build()).execute().getResult()) {
            return in.readAllBytes();
        }
    }

    private static void put(TarArchiveOutputStream tar, String name, byte[] content) throws IOException {
        TarArchiveEntry entry = new TarArchiveEntry(name);
        entry.setSize(content.length);
        tar.putArchiveEntry(entry);
        tar.write(content);
        tar.closeArchiveEntry();
    }
}
