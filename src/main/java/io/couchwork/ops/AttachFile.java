package io.couchwork.ops;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.couchwork.CouchworkException;
import io.couchwork.ExitCode;
import io.couchwork.token.TokenFields;
import java.io.IOException;
import java.net.URLConnection;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Optional;

/** Attaches one file to every token, inline (base64) so that a whole batch goes in one _bulk_docs request. */
public final class AttachFile implements TokenChange {

    private final String name;
    private final String contentType;
    private final String base64;

    public AttachFile(String name, String contentType, byte[] content) {
        this.name = name;
        this.contentType = contentType;
        this.base64 = Base64.getEncoder().encodeToString(content);
    }

    /** The file's bytes under its file name (or {@code name}), its content type guessed from the name. */
    public static AttachFile of(Path file, String name, String contentType) {
        try {
            byte[] content = Files.readAllBytes(file);
            String attachmentName = name != null ? name : file.getFileName().toString();
            String type = contentType != null ? contentType : guessType(attachmentName);
            return new AttachFile(attachmentName, type, content);
        } catch (NoSuchFileException e) {
            throw new CouchworkException(file + ": no such file", ExitCode.USAGE);
        } catch (IOException e) {
            throw new CouchworkException(file + ": cannot read: " + e.getMessage(), ExitCode.USAGE, e);
        }
    }

    static String guessType(String name) {
        String guessed = URLConnection.guessContentTypeFromName(name);
        if (guessed != null) {
            return guessed;
        }
        return name.endsWith(".log") || name.endsWith(".txt") ? "text/plain" : "application/octet-stream";
    }

    @Override
    public String verb() {
        return "attach " + name + " to";
    }

    @Override
    public Optional<ObjectNode> apply(ObjectNode token) {
        ObjectNode changed = token.deepCopy();
        ObjectNode attachment = changed.with(TokenFields.ATTACHMENTS).putObject(name);
        attachment.put("content_type", contentType);
        attachment.put("data", base64);
        return Optional.of(changed);
    }

    @Override
    public long extraBytesPerDocument() {
        return base64.length();
    }
}
