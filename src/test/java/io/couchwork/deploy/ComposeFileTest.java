package io.couchwork.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** docker-compose.yml cannot run here (no Docker engine): check that it agrees with config/application.properties. */
class ComposeFileTest {

    private static final Pattern ENV_PLACEHOLDER = Pattern.compile("\\{\\{env:([A-Z0-9_]+):([^}]*)}}");

    private static JsonNode services;
    private static Properties properties;

    @BeforeAll
    static void read() throws IOException {
        services = new ObjectMapper(new YAMLFactory()).readTree(Path.of("docker-compose.yml").toFile()).get("services");
        properties = new Properties();
        try (Reader reader = Files.newBufferedReader(Path.of("config/application.properties"))) {
            properties.load(reader);
        }
    }

    @Test
    void should_have_couchdb_couchwork_and_a_mail_catcher() {
        assertThat(names(services)).containsExactlyInAnyOrder("couchdb", "couchwork", "mailpit");
    }

    @Test
    void should_pin_couchdb_to_3_5_with_admin_credentials_from_the_environment() {
        JsonNode couchdb = services.get("couchdb");
        assertThat(couchdb.get("image").asText()).matches("couchdb:3\\.5\\.\\d+");
        assertThat(couchdb.get("environment").get("COUCHDB_USER").asText()).isEqualTo("${COUCHDB_USER:-admin}");
        assertThat(couchdb.get("environment").get("COUCHDB_PASSWORD").asText()).startsWith("${COUCHDB_PASSWORD:?");
        assertThat(couchdb.get("configs").get(0).get("target").asText()).startsWith("/opt/couchdb/etc/local.d/");
    }

    @Test
    void should_publish_couchdb_on_the_port_of_the_default_url() {
        String defaultUrl = envDefault("couchwork.couchdb.url");
        assertThat(texts(services.get("couchdb").get("ports")))
                .contains("127.0.0.1:" + port(defaultUrl) + ":5984");
    }

    @Test
    void should_give_couchwork_only_environment_keys_the_configuration_reads() {
        List<String> readByConfig = new ArrayList<>();
        Matcher m = ENV_PLACEHOLDER.matcher(String.join("\n", properties.values().stream().map(Object::toString).toList()));
        while (m.find()) {
            readByConfig.add(m.group(1));
        }
        JsonNode environment = services.get("couchwork").get("environment");
        for (String key : names(environment)) {
            boolean overridesKey = key.startsWith("COUCHWORK_") && properties.stringPropertyNames().stream()
                    .anyMatch(p -> p.toUpperCase().replace('.', '_').replace('-', '_').equals(key));
            assertThat(readByConfig.contains(key) || overridesKey)
                    .as("environment key %s of the couchwork service is read by config/application.properties", key)
                    .isTrue();
        }
    }

    @Test
    void should_point_couchwork_at_the_compose_services() {
        JsonNode environment = services.get("couchwork").get("environment");
        assertThat(environment.get("COUCHDB_URL").asText()).isEqualTo("http://couchdb:5984");
        assertThat(environment.get("COUCHDB_PASSWORD").asText()).startsWith("${COUCHDB_PASSWORD:?");
        assertThat(environment.get("SMTP_HOST").asText()).isEqualTo("mailpit");
        String smtpPort = environment.get("SMTP_PORT").asText();
        assertThat(texts(services.get("mailpit").get("ports"))).anyMatch(p -> p.endsWith(":" + smtpPort));
        assertThat(envDefault("couchwork.mail.port")).isEqualTo(smtpPort);
        assertThat(services.get("mailpit").get("image").asText()).matches("axllent/mailpit:v\\d+\\.\\d+\\.\\d+");
    }

    @Test
    void should_serve_the_dashboard_outside_the_container_only_with_credentials() {
        JsonNode environment = services.get("couchwork").get("environment");
        assertThat(environment.get("COUCHWORK_HTTP_ENABLED").asText()).isEqualTo("true");
        assertThat(environment.get("COUCHWORK_HTTP_HOST").asText()).isEqualTo("0.0.0.0");
        assertThat(environment.get("COUCHWORK_HTTP_PASSWORD").asText()).startsWith("${COUCHWORK_HTTP_PASSWORD:-${COUCHDB_PASSWORD");
        assertThat(texts(services.get("couchwork").get("ports"))).containsExactly("127.0.0.1:8080:8080");
    }

    @Test
    void should_build_couchwork_here_and_mount_routes_and_config_into_its_home() {
        JsonNode couchwork = services.get("couchwork");
        assertThat(couchwork.get("build").asText()).isEqualTo(".");
        assertThat(Path.of("Dockerfile")).exists();
        assertThat(texts(couchwork.get("volumes")))
                .contains("./routes:/opt/couchwork/routes:ro", "./config:/opt/couchwork/config:ro");
    }

    @Test
    void should_run_the_distribution_from_the_home_the_compose_file_mounts_into() throws IOException {
        String dockerfile = Files.readString(Path.of("Dockerfile"));
        assertThat(dockerfile).contains("ENTRYPOINT [\"/opt/couchwork/bin/couchwork\"]").contains("CMD [\"run\"]");
    }

    private static String envDefault(String key) {
        Matcher m = ENV_PLACEHOLDER.matcher(properties.getProperty(key, ""));
        assertThat(m.matches()).as("%s is {{env:NAME:default}}", key).isTrue();
        return m.group(2);
    }

    private static int port(String url) {
        return java.net.URI.create(url).getPort();
    }

    private static List<String> names(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static List<String> texts(JsonNode array) {
        List<String> texts = new ArrayList<>();
        array.forEach(n -> texts.add(n.asText()));
        return texts;
    }
}
