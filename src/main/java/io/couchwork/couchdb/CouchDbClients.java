package io.couchwork.couchdb;

import com.ibm.cloud.cloudant.v1.Cloudant;
import com.ibm.cloud.sdk.core.security.Authenticator;
import com.ibm.cloud.sdk.core.security.BasicAuthenticator;
import com.ibm.cloud.sdk.core.security.NoAuthAuthenticator;
import java.util.concurrent.atomic.AtomicLong;

/** Builds the Cloudant SDK client, the one CouchDB client Couchwork uses, from settings. */
public final class CouchDbClients {

    /** Longest wait between the SDK's own retries of 429 and 5xx answers, honouring Retry-After below it. */
    private static final int MAX_RETRY_INTERVAL_SECONDS = 30;

    /** HTTP requests sent to CouchDB by every client of this JVM, retries included (what the server sees). */
    private static final AtomicLong REQUESTS = new AtomicLong();

    private CouchDbClients() {}

    /** HTTP requests this JVM has sent to CouchDB so far, counted on the wire (each retry counts). */
    public static long requestCount() {
        return REQUESTS.get();
    }

    public static Cloudant create(CouchDbSettings settings) {
        Authenticator authenticator = settings.hasCredentials()
                ? new BasicAuthenticator.Builder().username(settings.user()).password(settings.password()).build()
                : new NoAuthAuthenticator();
        Cloudant client = new Cloudant("couchwork", authenticator);
        client.setServiceUrl(settings.displayUrl());
        if (settings.maxRetries() > 0) {
            client.enableRetries(settings.maxRetries(), MAX_RETRY_INTERVAL_SECONDS);
        }
        // after enableRetries, which rebuilds the HTTP client
        client.setClient(client.getClient().newBuilder()
                .socketFactory(new NoDelaySocketFactory())
                .connectTimeout(settings.connectTimeout())
                .readTimeout(settings.readTimeout())
                .addNetworkInterceptor(chain -> {
                    REQUESTS.incrementAndGet();
                    return chain.proceed(chain.request());
                })
                .build());
        return client;
    }
}
