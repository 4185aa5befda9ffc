package io.couchwork.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.couchwork.ExitCode;
import io.couchwork.config.EnvironmentVariables;
import io.couchwork.config.KnownSettings;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * docker-compose.yml, docker-compose.secrets.yml, the Dockerfile and .env.example cannot run here (no Docker engine):
 * check that they agree with each other, with config/application.properties and with the scripts of docker/ (which
 * ComposeScriptsTest runs under dash).
 */
class ComposeFileTest {

    private static final Pattern ENV_PLACEHOLDER = Pattern.compile("\\{\\{env:([A-Z0-9_]+):([^}]*)}}");
    private static final Pattern INTERPOLATION = Pattern.compile("\\$\\{([A-Za-z0-9_]+)(?::?[-?+][^}]*)?}");
    /** A tag naming one release: at least major.minor.patch (3.9 or 17-jre or latest move). */
    private static final Pattern EXACT_TAG = Pattern.compile("[a-z0-9./-]+:v?\\d+\\.\\d+\\.\\d+[\\w.-]*");
    private static final String SCRIPTS = "/usr/local/lib/couchwork/";

    private static JsonNode services;
    private static JsonNode secretsOverride;
    private static String composeText;
    private static String dockerfile;
    private static Properties properties;

    @BeforeAll
    static void read() throws IOException {
        ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
        composeText = Files.readString(Path.of("docker-compose.yml"));
        services = yaml.readTree(composeText).get("services");
        secretsOverride = yaml.readTree(Path.of("docker-compose.secrets.yml").toFile());
        dockerfile = Files.readString(Path.of("Dockerfile"));
        properties = new Properties();
        try (Reader reader = Files.newBufferedReader(Path.of("config/application.properties"))) {
            properties.load(reader);
        }
    }

    @Test
    void should_have_couchdb_its_init_couchwork_and_a_mail_catcher() {
        assertThat(names(services)).containsExactlyInAnyOrder("couchdb", "couchdb-init", "couchwork", "mailpit");
    }

    // --- images -----------------------------------------------------------------------------------------------------

    @Test
    void should_pin_every_image_to_an_exact_version() {
        List<String> images = new ArrayList<>();
        services.forEach(service -> {
            if (service.has("image")) {
                images.add(service.get("image").asText());
            }
        });
        assertThat(images).contains("couchdb:3.5.1", "axllent/mailpit:v1.27.7");
        for (String image : images) {
            assertThat(image).as("image %s is pinned to an exact version", image).matches(EXACT_TAG);
        }
        assertThat(services.get("couchdb-init").get("image")).isEqualTo(services.get("couchdb").get("image"));
    }

    @Test
    void should_pin_the_dockerfiles_images_to_one_temurin_17_build_by_tag_and_digest() {
        Matcher from = Pattern.compile("(?m)^FROM (\\S+)").matcher(dockerfile);
        List<String> images = new ArrayList<>();
        while (from.find()) {
            images.add(from.group(1));
        }
        assertThat(images).hasSize(2);
        for (String image : images) {
            assertThat(image).as("%s: exact tag and digest", image)
                    .matches(EXACT_TAG.pattern() + "@sha256:[0-9a-f]{64}");
        }
        assertThat(images.get(0)).startsWith("eclipse-temurin:17.0.20.1_1-jdk-noble@");
        assertThat(images.get(1)).startsWith("eclipse-temurin:17.0.20.1_1-jre-noble@");
        // Maven's version is the wrapper's, not an image's
        assertThat(dockerfile).contains("COPY .mvn .mvn").contains("sh ./mvnw -B -q -DskipTests package")
                .doesNotContain("RUN mvn ");
    }

    @Test
    void should_copy_every_file_the_distribution_takes_from_testserver() throws IOException {
        // the distribution's testserver/ must install as the repository's does: its lockfile, the postinstall script
        // and the patches it applies (a build without them makes a dev-server that cannot install)
        String assembly = Files.readString(Path.of("src/assembly/distribution.xml"));
        for (String file : List.of("package.json", "package-lock.json", "record-install.js")) {
            assertThat(Path.of("testserver", file)).exists();
            assertThat(assembly).contains("<include>" + file + "</include>");
            assertThat(dockerfile).containsPattern("COPY [^\\n]*testserver/" + Pattern.quote(file)
                    + " [^\\n]*testserver/\\n");
        }
        assertThat(Path.of("testserver/patches")).isDirectoryContaining("glob:**.patch");
        assertThat(assembly).contains("<include>patches/**</include>");
        assertThat(dockerfile).contains("COPY testserver/patches testserver/patches\n");
    }

    // --- healthcheck ------------------------------------------------------------------------------------------------

    @Test
    void should_check_the_readiness_path_couchwork_serves_with_the_script_the_image_holds() throws IOException {
        JsonNode healthcheck = services.get("couchwork").get("healthcheck");
        String script = SCRIPTS + "couchwork-healthcheck.sh";
        assertThat(texts(healthcheck.get("test"))).containsExactly("CMD", "/bin/sh", script);
        assertThat(dockerfile).contains("COPY docker/couchwork-entrypoint.sh docker/couchwork-healthcheck.sh " + SCRIPTS);
        String check = Files.readString(Path.of("docker/couchwork-healthcheck.sh"));
        // Camel's health endpoint on Couchwork's port: /observe (camel.management.path's default) + /health/ready
        assertThat(properties.getProperty("camel.management.health-check-enabled")).isEqualTo("true");
        assertThat(properties.getProperty("camel.management.port")).isEqualTo("{{couchwork.http.port}}");
        assertThat(properties.getProperty("camel.management.path")).isNull();
        assertThat(check).contains("\"http://127.0.0.1:$port/observe/health/ready\"")
                .contains("port=${COUCHWORK_HTTP_PORT:-" + envDefault("couchwork.http.port") + "}")
                .contains("COUCHWORK_HTTP_USER").contains("COUCHWORK_HTTP_PASSWORD_FILE");
        assertThat(texts(services.get("couchwork").get("ports")))
                .containsExactly("127.0.0.1:8080:" + envDefault("couchwork.http.port"));
        assertThat(Duration.parse("PT" + healthcheck.get("start_period").asText().toUpperCase(Locale.ROOT)))
                .isPositive();
        assertThat(services.get("couchdb").get("healthcheck").get("test").toString()).contains("/_up");
    }

    // --- passwords ---------------------------------------------------------------------------------------------------

    @Test
    void should_pass_every_password_and_its_file_variable_only_when_set() {
        int passwords = 0;
        for (String name : names(services)) {
            JsonNode environment = services.get(name).path("environment");
            for (String key : names(environment)) {
                if (key.endsWith("PASSWORD")) {
                    passwords++;
                    assertThat(environment.has(key + "_FILE")).as("%s: %s has a _FILE alternative", name, key).isTrue();
                    // a key without a value passes the variable only when it is set: X and X_FILE are never both set
                    assertThat(environment.get(key).isNull()).as("%s: %s passed only when set", name, key).isTrue();
                    assertThat(environment.get(key + "_FILE").isNull()).as("%s: %s_FILE", name, key).isTrue();
                }
            }
        }
        assertThat(passwords).isEqualTo(5);
    }

    @Test
    void should_read_each_password_file_where_the_password_is_read() throws IOException {
        // CouchDB's image and couchdb-init: through file-env.sh, before their own entrypoints
        assertThat(texts(services.get("couchdb").get("entrypoint"))).containsExactly("/bin/sh", SCRIPTS + "file-env.sh",
                "COUCHDB_PASSWORD", "--", "tini", "--", "/docker-entrypoint.sh");
        assertThat(texts(services.get("couchdb").get("command"))).containsExactly("/opt/couchdb/bin/couchdb");
        assertThat(texts(services.get("couchdb-init").get("entrypoint"))).containsExactly("/bin/sh",
                SCRIPTS + "file-env.sh", "COUCHDB_PASSWORD", "COUCHWORK_COUCHDB_PASSWORD", "--", "/bin/sh",
                SCRIPTS + "couchdb-init.sh");
        for (String service : List.of("couchdb", "couchdb-init")) {
            for (String mount : texts(services.get(service).get("volumes"))) {
                if (mount.startsWith("./docker/")) {
                    String[] parts = mount.split(":");
                    assertThat(Path.of(parts[0])).exists();
                    assertThat(parts[1]).isEqualTo(SCRIPTS + Path.of(parts[0]).getFileName());
                    assertThat(parts[2]).isEqualTo("ro");
                }
            }
            assertThat(texts(services.get(service).get("volumes")))
                    .contains("./docker/file-env.sh:" + SCRIPTS + "file-env.sh:ro");
        }
        assertThat(texts(services.get("couchdb-init").get("volumes")))
                .contains("./docker/couchdb-init.sh:" + SCRIPTS + "couchdb-init.sh:ro");
        // Couchwork: its settings layer reads X_FILE for every variable the configuration reads
        Set<String> read = readByConfiguration();
        for (String key : names(services.get("couchwork").get("environment"))) {
            if (key.endsWith("PASSWORD")) {
                assertThat(read).as("Couchwork reads %s, so also %s_FILE", key, key).contains(key);
            }
        }
    }

    @Test
    void should_give_couchwork_its_own_account_never_the_server_admins() {
        JsonNode couchwork = services.get("couchwork").get("environment");
        assertThat(names(couchwork)).doesNotContain("COUCHDB_USER", "COUCHDB_PASSWORD", "COUCHDB_PASSWORD_FILE");
        assertThat(couchwork.get("COUCHWORK_COUCHDB_USER").asText()).isEqualTo("${COUCHWORK_COUCHDB_USER:-couchwork}");
        assertThat(names(couchwork)).contains("COUCHWORK_COUCHDB_PASSWORD", "COUCHWORK_COUCHDB_PASSWORD_FILE");
        assertThat(services.get("couchdb").get("environment").get("COUCHDB_USER").asText())
                .isEqualTo("${COUCHDB_USER:-admin}");
        // couchdb-init gets both accounts, under the same names
        JsonNode init = services.get("couchdb-init").get("environment");
        assertThat(init.get("COUCHDB_USER")).isEqualTo(services.get("couchdb").get("environment").get("COUCHDB_USER"));
        assertThat(init.get("COUCHWORK_COUCHDB_USER")).isEqualTo(couchwork.get("COUCHWORK_COUCHDB_USER"));
        assertThat(init.get("COUCHDB_DATABASE")).isEqualTo(couchwork.get("COUCHDB_DATABASE"));
        assertThat(init.get("COUCHDB_URL")).isEqualTo(couchwork.get("COUCHDB_URL"));
    }

    @Test
    void should_set_up_couchdb_before_couchwork_starts_and_not_let_couchwork_create_the_database() {
        JsonNode init = services.get("couchdb-init");
        assertThat(init.get("depends_on").get("couchdb").get("condition").asText()).isEqualTo("service_healthy");
        assertThat(init.get("restart").asText()).isEqualTo("no");
        JsonNode couchwork = services.get("couchwork");
        assertThat(couchwork.get("depends_on").get("couchdb-init").get("condition").asText())
                .isEqualTo("service_completed_successfully");
        assertThat(couchwork.get("depends_on").has("couchdb")).isFalse();
        assertThat(couchwork.get("environment").get("COUCHWORK_COUCHDB_CREATE_DATABASE").asText()).isEqualTo("false");
        assertThat(KnownSettings.isKnown("couchwork.couchdb.create-database")).isTrue();
    }

    // --- restarts ----------------------------------------------------------------------------------------------------

    @Test
    void should_restart_couchwork_on_failure_but_not_into_a_configuration_error() throws IOException {
        JsonNode couchwork = services.get("couchwork");
        assertThat(couchwork.get("restart").asText()).isEqualTo("on-failure");
        assertThat(texts(couchwork.get("entrypoint"))).containsExactly("/bin/sh", SCRIPTS + "couchwork-entrypoint.sh",
                "/opt/couchwork/bin/couchwork");
        assertThat(texts(couchwork.get("command"))).containsExactly("run");
        assertThat(couchwork.get("init").asBoolean()).isTrue();
        // the codes the wrapper turns into 0 are Couchwork's configuration, permission and usage errors
        Matcher codes = Pattern.compile("(?m)^no_restart=\"([0-9 ]+)\"$")
                .matcher(Files.readString(Path.of("docker/couchwork-entrypoint.sh")));
        assertThat(codes.find()).isTrue();
        assertThat(Arrays.stream(codes.group(1).split(" ")).map(Integer::parseInt).toList()).containsExactlyInAnyOrder(
                ExitCode.USAGE.code(), ExitCode.NO_PERMISSION.code(), ExitCode.CONFIGURATION.code());
        // a stop waits for the graceful shutdown
        long grace = Long.parseLong(couchwork.get("stop_grace_period").asText().replace("s", ""));
        assertThat(grace).isGreaterThan(Long.parseLong(properties.getProperty("camel.main.shutdown-timeout")));
        assertThat(services.get("couchdb").get("restart").asText()).isEqualTo("unless-stopped");
    }

    // --- variables ---------------------------------------------------------------------------------------------------

    @Test
    void should_list_every_variable_the_compose_files_read_in_env_example_and_no_other() throws IOException {
        Set<String> used = new TreeSet<>();
        Matcher m = INTERPOLATION.matcher(composeText + Files.readString(Path.of("docker-compose.secrets.yml")));
        while (m.find()) {
            used.add(m.group(1));
        }
        for (String name : names(services)) {
            JsonNode environment = services.get(name).path("environment");
            for (String key : names(environment)) {
                if (environment.get(key).isNull()) {
                    used.add(key); // passed on from .env or the shell when set
                }
            }
        }
        Set<String> listed = new TreeSet<>();
        Matcher line = Pattern.compile("(?m)^#?([A-Z][A-Z0-9_]*)=").matcher(Files.readString(Path.of(".env.example")));
        while (line.find()) {
            listed.add(line.group(1));
        }
        listed.remove("COMPOSE_FILE"); // docker compose's own
        assertThat(listed).isEqualTo(used);
        assertThat(used).contains("COUCHDB_PASSWORD", "COUCHDB_PASSWORD_FILE", "COUCHWORK_COUCHDB_PASSWORD_FILE",
                "COUCHWORK_HTTP_PASSWORD_FILE");
    }

    @Test
    void should_give_couchwork_only_environment_keys_the_configuration_reads() {
        Set<String> read = readByConfiguration();
        for (String key : names(services.get("couchwork").get("environment"))) {
            String variable = key.endsWith(EnvironmentVariables.FILE_SUFFIX) && !read.contains(key)
                    ? key.substring(0, key.length() - EnvironmentVariables.FILE_SUFFIX.length()) : key;
            assertThat(read).as("environment key %s of the couchwork service is read by the configuration", key)
                    .contains(variable);
        }
    }

    @Test
    void should_mount_each_docker_secret_where_its_file_variable_points() {
        JsonNode declared = secretsOverride.get("secrets");
        int wired = 0;
        JsonNode overridden = secretsOverride.get("services");
        for (String name : names(overridden)) {
            assertThat(services.has(name)).isTrue();
            List<String> mounted = texts(overridden.get(name).get("secrets"));
            JsonNode environment = overridden.get(name).get("environment");
            for (String key : names(environment)) {
                assertThat(key).endsWith("_PASSWORD_FILE");
                assertThat(services.get(name).get("environment").has(key)).as("%s passes %s", name, key).isTrue();
                String secret = environment.get(key).asText().replace("/run/secrets/", "");
                assertThat(mounted).as("%s mounts %s", name, secret).contains(secret);
                assertThat(declared.get(secret).get("file").asText()).isEqualTo("./secrets/" + secret);
                wired++;
            }
            assertThat(mounted).hasSize(environment.size());
        }
        assertThat(wired).isEqualTo(5);
    }

    // --- the rest ----------------------------------------------------------------------------------------------------

    @Test
    void should_publish_couchdb_on_the_port_of_the_default_url() {
        String defaultUrl = envDefault("couchwork.couchdb.url");
        assertThat(texts(services.get("couchdb").get("ports")))
                .contains("127.0.0.1:" + port(defaultUrl) + ":5984");
        assertThat(services.get("couchdb").get("configs").get(0).get("target").asText())
                .startsWith("/opt/couchdb/etc/local.d/");
    }

    @Test
    void should_point_couchwork_at_the_compose_services() {
        JsonNode environment = services.get("couchwork").get("environment");
        assertThat(environment.get("COUCHDB_URL").asText()).isEqualTo("http://couchdb:5984");
        assertThat(environment.get("SMTP_HOST").asText()).isEqualTo("mailpit");
        String smtpPort = environment.get("SMTP_PORT").asText();
        assertThat(texts(services.get("mailpit").get("ports"))).anyMatch(p -> p.endsWith(":" + smtpPort));
        assertThat(envDefault("couchwork.mail.port")).isEqualTo(smtpPort);
    }

    @Test
    void should_serve_the_dashboard_outside_the_container_only_with_credentials() {
        JsonNode environment = services.get("couchwork").get("environment");
        assertThat(environment.get("COUCHWORK_HTTP_ENABLED").asText()).isEqualTo("true");
        assertThat(environment.get("COUCHWORK_HTTP_HOST").asText()).isEqualTo("0.0.0.0");
        assertThat(environment.get("COUCHWORK_HTTP_USER").asText()).isEqualTo("${COUCHWORK_HTTP_USER:-admin}");
        assertThat(names(environment)).contains("COUCHWORK_HTTP_PASSWORD", "COUCHWORK_HTTP_PASSWORD_FILE");
    }

    @Test
    void should_build_couchwork_here_and_mount_routes_and_config_into_its_home() {
        JsonNode couchwork = services.get("couchwork");
        assertThat(couchwork.get("build").asText()).isEqualTo(".");
        assertThat(texts(couchwork.get("volumes")))
                .contains("./routes:/opt/couchwork/routes:ro", "./config:/opt/couchwork/config:ro");
    }

    @Test
    void should_run_the_distribution_from_the_home_the_compose_file_mounts_into() {
        assertThat(dockerfile).contains("ENTRYPOINT [\"/opt/couchwork/bin/couchwork\"]").contains("CMD [\"run\"]")
                .contains("USER 10001");
    }

    /** {{env:X}} placeholders of the configuration file and the COUCHWORK_* variable of every setting. */
    private static Set<String> readByConfiguration() {
        Set<String> read = new TreeSet<>();
        properties.values().forEach(v -> read.addAll(EnvironmentVariables.placeholdersIn(v.toString())));
        KnownSettings.checks().keySet().forEach(k -> read.add(k.toUpperCase(Locale.ROOT).replace('.', '_')
                .replace('-', '_')));
        return read;
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
        if (node != null) {
            node.fieldNames().forEachRemaining(names::add);
        }
        return names;
    }

    private static List<String> texts(JsonNode array) {
        List<String> texts = new ArrayList<>();
        array.forEach(n -> texts.add(n.asText()));
        return texts;
    }
}
