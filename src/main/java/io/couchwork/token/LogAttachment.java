package io.couchwork.token;

/** A job log stored as an attachment of its token (e.g. stdout.log), already cut to the configured size. */
public record LogAttachment(String name, String contentType, byte[] content) {}
