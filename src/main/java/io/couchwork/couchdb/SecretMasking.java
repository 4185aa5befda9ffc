package io.couchwork.couchdb;

import java.util.regex.Pattern;

/** Hides credentials in text that may reach a log or a terminal. */
public final class SecretMasking {

    private static final Pattern URL_USER_INFO = Pattern.compile("(?i)\\b([a-z][a-z0-9+.-]*://)[^/@\\s]+@");

    private SecretMasking() {}

    /** Replaces the user-info part of every URL in the text by {@code ***@}. */
    public static String maskUrl(String text) {
        return text == null ? null : URL_USER_INFO.matcher(text).replaceAll("$1***@");
    }

    /** Masks URL credentials and every occurrence of the given secret. */
    public static String mask(String text, String secret) {
        String masked = maskUrl(text);
        if (masked != null && secret != null && !secret.isEmpty()) {
            masked = masked.replace(secret, "******");
        }
        return masked;
    }
}
