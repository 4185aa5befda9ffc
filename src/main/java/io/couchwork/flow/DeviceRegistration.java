package io.couchwork.flow;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.ibm.cloud.cloudant.v1.model.PostFindOptions;
import io.couchwork.couchdb.CouchDatabase;
import io.couchwork.couchdb.DocumentKeptChangingException;
import io.couchwork.couchdb.Json;
import io.couchwork.couchdb.OptimisticUpdate;
import io.couchwork.couchdb.OptimisticUpdate.Decision;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Device registration by e-mail (docstate's device flow): a device in state {@code new} (or {@code resend}) gets a
 * confirmation code by e-mail and moves to {@code confirming}; the document keeps only a salted hash of the code. A
 * {@code confirm} document carrying the code confirms the device ({@code confirmed}, then {@code active}); a wrong
 * code puts the confirm document in {@code error} with the reason; a code past its time moves the device to
 * {@code expired}.
 */
public class DeviceRegistration {

    private static final Logger LOG = LoggerFactory.getLogger(DeviceRegistration.class);
    private static final Pattern EMAIL = Pattern.compile("^[^@\\s]+@[^@\\s]+$");
    /** The flows in config/flows/ whose states this bean uses: devices, and the confirm documents. */
    static final String DEVICES = "devices";
    static final String CONFIRMATIONS = "device-confirmations";

    /** The confirm document's next state ({@code used} or {@code error}) and the reason of an error. */
    private record Confirmation(String nextState, String reason) {}

    private final CouchDatabase database;
    private final OptimisticUpdate updates;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();
    private final Duration codeLifetime;
    private final String from;
    private final String confirmUrl;
    private final String confirming;
    private final String confirmed;
    private final String active;
    private final String expired;
    private final String used;
    private final String refused;

    public DeviceRegistration(CouchDatabase database, Clock clock, FlowDefinitions flows, Duration codeLifetime,
            String from, String confirmUrl) {
        String user = "DeviceRegistration";
        this.confirming = flows.state(DEVICES, "confirming", user);
        this.confirmed = flows.state(DEVICES, "confirmed", user);
        this.active = flows.state(DEVICES, "active", user);
        this.expired = flows.state(DEVICES, "expired", user);
        this.used = flows.state(CONFIRMATIONS, "used", user);
        this.refused = flows.state(CONFIRMATIONS, "error", user);
        this.database = database;
        this.updates = new OptimisticUpdate(database);
        this.clock = clock;
        this.codeLifetime = codeLifetime;
        this.from = from;
        this.confirmUrl = confirmUrl;
    }

    /** Makes a code, the e-mail that carries it (body and headers), and the fields to save: hash and expiry. */
    public void prepareConfirmation(Exchange exchange) {
        ObjectNode device = StateHandlers.document(exchange);
        String id = device.path("_id").asText();
        String owner = device.path("owner").asText("");
        if (!EMAIL.matcher(owner).matches()) {
            throw new InvalidDocumentException("device " + id + " has no valid owner e-mail address (field owner)");
        }
        String code = String.format("%08d", random.nextInt(100_000_000));
        long now = clock.instant().getEpochSecond();
        ObjectNode changes = Json.object();
        changes.put("confirm_code_hash", hash(id, code));
        changes.put("confirm_expires", now + codeLifetime.toSeconds());
        changes.put("confirm_sent", now);
        changes.put("confirm_sends", device.path("confirm_sends").asInt(0) + 1);
        exchange.setProperty(FlowHeaders.CHANGES_PROPERTY, changes); // the body becomes the e-mail
        exchange.getMessage().setHeader("To", owner);
        exchange.getMessage().setHeader("From", from);
        exchange.getMessage().setHeader("Subject", "Confirm your device " + device.path("name").asText(id));
        exchange.getMessage().setBody("Your confirmation code for device " + device.path("name").asText(id) + " is "
                + code + ".\n\nOr follow this link to confirm it:\n" + confirmUrl + "?device=" + id + "&code=" + code
                + "\n\nThe code is valid for " + codeLifetime.toMinutes() + " minutes.\n");
    }

    /**
     * The safe handler of a confirm document: checks its code against its device and moves the device to confirmed
     * (or expired); sets the confirm document's next state ({@code used} or {@code error}) and reason.
     */
    public void confirm(Exchange exchange) {
        ObjectNode confirm = StateHandlers.document(exchange);
        String deviceId = confirm.path("device").asText("");
        String code = confirm.path("code").asText("");
        if (deviceId.isEmpty()) {
            outcome(exchange, new Confirmation(refused, "no matching device"));
            return;
        }
        try {
            outcome(exchange, updates.update(deviceId, found -> confirmation(found, deviceId, code)));
        } catch (DocumentKeptChangingException e) {
            throw new AdvanceConflictException("device " + deviceId + " kept changing while confirming");
        }
    }

    /** What a confirm document with {@code code} makes of its device as read: the device's next version, if any. */
    private Decision<Confirmation> confirmation(Optional<ObjectNode> found, String deviceId, String code) {
        if (found.isEmpty() || !"device".equals(found.get().path("type").asText())) {
            return Decision.keep(new Confirmation(refused, "no matching device"));
        }
        ObjectNode device = found.get();
        String state = device.path("state").asText();
        boolean matches = hash(deviceId, code).equals(device.path("confirm_code_hash").asText(null))
                || hash(deviceId, code).equals(device.path("confirmed_code_hash").asText(null));
        if (!state.equals(confirming)) {
            if ((state.equals(confirmed) || state.equals(active)) && matches) {
                return Decision.keep(new Confirmation(used, null)); // handled before: safe to run twice
            }
            return Decision.keep(new Confirmation(refused, "device is " + state + ", not waiting for a confirmation"));
        }
        long now = clock.instant().getEpochSecond();
        ObjectNode next = device.deepCopy();
        if (device.path("confirm_expires").asLong(0) < now) {
            next.put("state", expired);
            return Decision.write(next, new Confirmation(refused, "code expired"));
        }
        if (!matches) {
            next.put("confirm_failures", device.path("confirm_failures").asInt(0) + 1);
            return Decision.write(next, new Confirmation(refused, "wrong code"));
        }
        next.put("state", confirmed);
        next.put("confirmed_at", now);
        next.put("confirmed_code_hash", device.path("confirm_code_hash").asText());
        next.remove("confirm_code_hash");
        return Decision.write(next, new Confirmation(used, null));
    }

    /** The fields and next state of a confirmed device: active from now. */
    public void activate(Exchange exchange) {
        ObjectNode changes = Json.object();
        changes.put("activated_at", clock.instant().getEpochSecond());
        exchange.getMessage().setHeader(FlowHeaders.NEXT_STATE, active);
        exchange.getMessage().setBody(changes);
    }

    /** Moves devices whose code ran out to {@code expired}; returns how many. */
    public int expireStale() {
        long now = clock.instant().getEpochSecond();
        JsonNode found = Json.read(database.client().postFindAsStream(new PostFindOptions.Builder(database.name(),
                Map.of("type", "device", "state", confirming)).build()).execute().getResult(), JsonNode.class);
        int count = 0;
        for (JsonNode device : found.path("docs")) {
            if (device.path("confirm_expires").asLong(Long.MAX_VALUE) < now) {
                ObjectNode next = ((ObjectNode) device).deepCopy();
                next.put("state", expired);
                if (database.put(next).ok()) {
                    count++;
                    LOG.info("Confirmation of device {} expired", device.path("_id").asText());
                }
            }
        }
        return count;
    }

    private static void outcome(Exchange exchange, Confirmation confirmation) {
        ObjectNode changes = Json.object();
        if (confirmation.reason() != null) {
            changes.put("reason", confirmation.reason());
        }
        exchange.getMessage().setHeader(FlowHeaders.NEXT_STATE, confirmation.nextState());
        exchange.getMessage().setBody(changes);
    }

    /** The code is never stored: only SHA-256 of device id and code, so the document does not give it away. */
    static String hash(String deviceId, String code) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(sha.digest((deviceId + ":" + code).getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
