package io.couchwork.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetupTest;
import io.couchwork.app.CouchworkHome;
import io.couchwork.testing.CouchDbServerExtension;
import io.couchwork.testing.MutableClock;
import io.couchwork.testing.PlainHttp;
import io.couchwork.testing.RunningApp;
import io.couchwork.testing.TestCouch;
import io.couchwork.testing.TestHome;
import jakarta.mail.internet.MimeMessage;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Device registration by e-mail, against a real SMTP server (GreenMail): code by mail, confirm, activate. */
@ExtendWith(CouchDbServerExtension.class)
class DeviceRegistrationIT {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final Pattern CODE = Pattern.compile("code for device .+? is (\\d{8})");

    @RegisterExtension
    static final GreenMailExtension SMTP = new GreenMailExtension(ServerSetupTest.SMTP.dynamicPort());

    @TempDir
    Path home;

    private CouchworkHome testHome;

    @BeforeEach
    void writeHome() {
        testHome = TestHome.create(home, List.of("error-handling.camel.yaml", "record-dead-letters.camel.yaml",
                "register-devices.camel.yaml"), Map.of());
    }

    @Test
    void should_mail_a_code_confirm_with_it_and_activate_the_device(TestCouch couch) throws Exception {
        String db = couch.createDatabase();
        PlainHttp http = new PlainHttp(couch, db);
        http.put("phone", "{\"type\":\"device\",\"state\":\"new\",\"owner\":\"ada@example.org\",\"name\":\"Ada's phone\"}");
        try (RunningApp app = start(couch, db, null)) {
            await().atMost(WAIT).until(() -> SMTP.getReceivedMessages().length == 1);
            MimeMessage mail = SMTP.getReceivedMessages()[0];
            assertThat(mail.getAllRecipients()[0].toString()).isEqualTo("ada@example.org");
            assertThat(mail.getSubject()).isEqualTo("Confirm your device Ada's phone");
            String code = code(mail);
            assertThat(GreenMailUtil.getBody(mail)).contains("/confirm?device=phone&code=" + code);
            await().atMost(WAIT).until(() -> http.doc("phone").path("state").asText().equals("confirming"));
            JsonNode confirming = http.doc("phone");
            assertThat(confirming.toString()).doesNotContain(code);
            assertThat(confirming.path("confirm_code_hash").asText()).hasSize(64);

            http.put("wrong", "{\"type\":\"confirm\",\"state\":\"clicked\",\"device\":\"phone\",\"code\":\"00000000x\"}");
            await().atMost(WAIT).until(() -> http.doc("wrong").path("state").asText().equals("error"));
            assertThat(http.doc("wrong").path("reason").asText()).isEqualTo("wrong code");

            http.put("right", "{\"type\":\"confirm\",\"state\":\"clicked\",\"device\":\"phone\",\"code\":\"" + code + "\"}");
            await().atMost(WAIT).until(() -> http.doc("phone").path("state").asText().equals("active"));
            assertThat(http.doc("right").path("state").asText()).isEqualTo("used");
            http.put("stray", "{\"type\":\"confirm\",\"state\":\"clicked\",\"device\":\"nope\",\"code\":\"1\"}");
            await().atMost(WAIT).until(() -> http.doc("stray").path("state").asText().equals("error"));
            assertThat(http.doc("stray").path("reason").asText()).isEqualTo("no matching device");
        }
        JsonNode active = http.doc("phone");
        assertThat(active.path("confirmed_at").asLong()).isPositive();
        assertThat(active.path("activated_at").asLong()).isPositive();
        assertThat(active.path("confirm_failures").asInt()).isEqualTo(1);
        assertThat(SMTP.getReceivedMessages()).hasSize(1);
    }

    @Test
    void should_resend_a_new_code_on_request_and_refuse_the_old_one(TestCouch couch) throws Exception {
        String db = couch.createDatabase();
        PlainHttp http = new PlainHttp(couch, db);
        http.put("laptop", "{\"type\":\"device\",\"state\":\"new\",\"owner\":\"dee@example.org\"}");
        try (RunningApp app = start(couch, db, null)) {
            await().atMost(WAIT).until(() -> http.doc("laptop").path("state").asText().equals("confirming"));
            String oldCode = code(SMTP.getReceivedMessages()[0]);
            com.fasterxml.jackson.databind.node.ObjectNode device =
                    (com.fasterxml.jackson.databind.node.ObjectNode) http.doc("laptop");
            device.put("state", "resend");
            http.put("laptop", device.toString());
            await().atMost(WAIT).until(() -> SMTP.getReceivedMessages().length == 2
                    && http.doc("laptop").path("state").asText().equals("confirming"));
            String newCode = code(SMTP.getReceivedMessages()[1]);
            assertThat(http.doc("laptop").path("confirm_sends").asInt()).isEqualTo(2);
            if (!newCode.equals(oldCode)) {
                http.put("old", "{\"type\":\"confirm\",\"state\":\"clicked\",\"device\":\"laptop\",\"code\":\""
                        + oldCode + "\"}");
                await().atMost(WAIT).until(() -> http.doc("old").path("state").asText().equals("error"));
                assertThat(http.doc("old").path("reason").asText()).isEqualTo("wrong code");
            }
            http.put("new", "{\"type\":\"confirm\",\"state\":\"clicked\",\"device\":\"laptop\",\"code\":\""
                    + newCode + "\"}");
            await().atMost(WAIT).until(() -> http.doc("laptop").path("state").asText().equals("active"));
        }
    }

    @Test
    void should_send_one_mail_per_device_with_two_app_instances(TestCouch couch) throws Exception {
        String db = couch.createDatabase();
        PlainHttp http = new PlainHttp(couch, db);
        for (int i = 0; i < 5; i++) {
            http.put("dev" + i, "{\"type\":\"device\",\"state\":\"new\",\"owner\":\"user" + i + "@example.org\"}");
        }
        try (RunningApp a = start(couch, db, null); RunningApp b = start(couch, db, null)) {
            await().atMost(WAIT).until(() -> {
                for (int i = 0; i < 5; i++) {
                    if (!http.doc("dev" + i).path("state").asText().equals("confirming")) {
                        return false;
                    }
                }
                return true;
            });
        }
        assertThat(SMTP.getReceivedMessages()).hasSize(5);
    }

    @Test
    void should_expire_a_code_nobody_used_and_refuse_it_afterwards(TestCouch couch) throws Exception {
        String db = couch.createDatabase();
        PlainHttp http = new PlainHttp(couch, db);
        MutableClock clock = new MutableClock(Instant.now());
        http.put("tablet", "{\"type\":\"device\",\"state\":\"new\",\"owner\":\"bob@example.org\"}");
        try (RunningApp app = start(couch, db, clock)) {
            await().atMost(WAIT).until(() -> http.doc("tablet").path("state").asText().equals("confirming"));
            String code = code(SMTP.getReceivedMessages()[0]);
            clock.advance(Duration.ofHours(2));
            await().atMost(WAIT).until(() -> http.doc("tablet").path("state").asText().equals("expired"));
            http.put("late", "{\"type\":\"confirm\",\"state\":\"clicked\",\"device\":\"tablet\",\"code\":\"" + code + "\"}");
            await().atMost(WAIT).until(() -> http.doc("late").path("state").asText().equals("error"));
            assertThat(http.doc("late").path("reason").asText()).isEqualTo("device is expired, not waiting for a confirmation");
        }
    }

    @Test
    void should_dead_letter_a_device_without_an_owner_address(TestCouch couch) {
        String db = couch.createDatabase();
        PlainHttp http = new PlainHttp(couch, db);
        http.put("anon", "{\"type\":\"device\",\"state\":\"new\"}");
        try (RunningApp app = start(couch, db, null)) {
            await().atMost(WAIT).until(() -> http.doc("anon").path("state").asText().equals("dead_letter"));
            JsonNode letter = app.bean("deadLetters", DeadLetters.class).list().get(0);
            assertThat(letter.path("cause").asText()).contains("document anon (type device) does not match",
                    "device.schema.json", "owner");
            assertThat(letter.path("attempts").asInt()).isEqualTo(1);
        }
        assertThat(SMTP.getReceivedMessages()).isEmpty();
    }

    @Test
    void should_park_a_device_whose_handler_crashed_mid_way_by_default(TestCouch couch) {
        String db = couch.createDatabase();
        PlainHttp http = new PlainHttp(couch, db);
        http.put("crashed", crashedDevice());
        try (RunningApp app = start(couch, db, null)) {
            await().atMost(WAIT).until(() -> http.doc("crashed").path("state").asText().equals("dead_letter"));
            JsonNode letter = app.bean("deadLetters", DeadLetters.class).list().get(0);
            assertThat(letter.path("cause").asText()).contains("never finished", "worker-that-died");
            assertThat(letter.path("attempts").asInt()).isEqualTo(1);
        }
        assertThat(SMTP.getReceivedMessages()).isEmpty();
    }

    @Test
    void should_rerun_a_crashed_handler_when_configured_to(TestCouch couch) {
        String db = couch.createDatabase();
        PlainHttp http = new PlainHttp(couch, db);
        http.put("crashed", crashedDevice());
        try (RunningApp app = start(couch, db, null, Map.of("couchwork.flows.on-crash", "rerun"))) {
            await().atMost(WAIT).until(() -> http.doc("crashed").path("state").asText().equals("confirming"));
        }
        assertThat(SMTP.getReceivedMessages()).hasSize(1);
    }

    /** A device whose run-once handler took its lease, maybe sent the mail, and died before saving. */
    private static String crashedDevice() {
        long past = Instant.now().getEpochSecond() - 600;
        return "{\"type\":\"device\",\"state\":\"new\",\"owner\":\"cy@example.org\",\"handler_lease\":"
                + "{\"owner\":\"worker-that-died\",\"state\":\"new\",\"until\":" + past + ",\"claim_id\":\"c\"}}";
    }

    private static String code(MimeMessage mail) {
        Matcher m = CODE.matcher(GreenMailUtil.getBody(mail));
        assertThat(m.find()).as("code in the mail").isTrue();
        return m.group(1);
    }

    private RunningApp start(TestCouch couch, String db, java.time.Clock clock) {
        return start(couch, db, clock, Map.of());
    }

    private RunningApp start(TestCouch couch, String db, java.time.Clock clock, Map<String, String> extra) {
        Map<String, String> settings = couch.properties(db);
        settings.put("couchwork.report.interval", "1h");
        settings.put("couchwork.pool.enabled", "false");
        settings.put("couchwork.flows.devices.enabled", "true");
        settings.put("couchwork.flows.devices.expiry-sweep", "1s");
        settings.put("couchwork.flows.maximum-redeliveries", "1");
        settings.put("couchwork.flows.redelivery-delay", "100");
        settings.put("couchwork.mail.host", "127.0.0.1");
        settings.put("couchwork.mail.port", Integer.toString(SMTP.getSmtp().getPort()));
        settings.putAll(extra);
        return RunningApp.start(testHome, testHome.configFile(), settings, clock, Map.of());
    }
}
