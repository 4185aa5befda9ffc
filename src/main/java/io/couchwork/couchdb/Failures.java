package io.couchwork.couchdb;

import com.ibm.cloud.sdk.core.service.exception.ServiceResponseException;
import java.io.EOFException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.util.Optional;

/** Classifies what the Cloudant SDK throws: HTTP answers, network failures, and the rest. */
public final class Failures {

    private Failures() {}

    /** The HTTP status of a server answer in the cause chain, if the failure was one. */
    public static Optional<ServiceResponseException> httpAnswer(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof ServiceResponseException answer) {
                return Optional.of(answer);
            }
        }
        return Optional.empty();
    }

    /** The network failure in the cause chain (refused, reset, timed out, unknown host), if any. */
    public static Optional<IOException> networkFailure(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof IOException io) {
                return Optional.of(io);
            }
        }
        return Optional.empty();
    }

    /**
     * True for failures worth retrying: the network, 408, 429 and 5xx answers, and answers cut off halfway (the SDK
     * reports those with the status they started with, say 201, and the broken connection as the cause).
     */
    public static boolean isTransient(Throwable error) {
        if (networkFailure(error).isPresent()) {
            return true;
        }
        Optional<ServiceResponseException> answer = httpAnswer(error);
        if (answer.isPresent()) {
            int status = answer.get().getStatusCode();
            return status == 408 || status == 429 || status >= 500;
        }
        return false;
    }

    /**
     * True for the server's own faults, which say nothing about the request: an answer of 408, 429 or 5xx, or the
     * connection refused, reset, cut off or timed out. Unlike {@link #isTransient}, no other I/O failure counts (a file
     * a handler could not find is its own failure, not the server's).
     */
    public static boolean isServerFault(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof SocketException || t instanceof InterruptedIOException || t instanceof EOFException) {
                return true;
            }
        }
        Optional<ServiceResponseException> answer = httpAnswer(error);
        return answer.isPresent() && isTransient(answer.get());
    }

    /** True for CouchDB's answer to a request on a database that does not exist (never created, or deleted). */
    public static boolean isMissingDatabase(Throwable error) {
        return httpAnswer(error).filter(a -> a.getStatusCode() == 404 && a.getMessage() != null
                && (a.getMessage().contains("no_db_file") || a.getMessage().contains("Database does not exist")))
                .isPresent();
    }

    /** A short human description of a failure, without stack trace and without credentials. */
    public static String describe(Throwable error) {
        Optional<ServiceResponseException> answer = httpAnswer(error);
        if (answer.isPresent()) {
            ServiceResponseException e = answer.get();
            return "HTTP " + e.getStatusCode() + (e.getMessage() == null ? "" : ": " + SecretMasking.maskUrl(e.getMessage()));
        }
        Optional<IOException> io = networkFailure(error);
        if (io.isPresent()) {
            IOException e = io.get();
            if (e instanceof ConnectException) {
                return "connection refused";
            }
            if (e instanceof UnknownHostException) {
                return "unknown host " + e.getMessage();
            }
            if (e instanceof SocketTimeoutException) {
                return "timed out";
            }
            return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + SecretMasking.maskUrl(e.getMessage()));
        }
        return error.getClass().getSimpleName()
                + (error.getMessage() == null ? "" : ": " + SecretMasking.maskUrl(error.getMessage()));
    }
}
