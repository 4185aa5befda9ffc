package io.couchwork.devserver;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An install counts as current only while the lockfile and the patches are the ones it was installed from. */
class TestServerInstallTest {

    @TempDir
    Path dir;
    TestServerInstall install;

    @BeforeEach
    void installed() throws IOException {
        Files.writeString(dir.resolve("package-lock.json"), "{\"lockfileVersion\":3}");
        Files.createDirectories(dir.resolve("patches"));
        Files.writeString(dir.resolve("patches/b+1.0.0.patch"), "patch b");
        Files.writeString(dir.resolve("patches/a+1.0.0.patch"), "patch a");
        install = new TestServerInstall(dir);
        Files.createDirectories(install.serverScript().getParent());
        Files.writeString(install.serverScript(), "#!/usr/bin/env node");
        // as record-install.js writes it: the lockfile, then the patches by name
        Files.writeString(dir.resolve("node_modules/.couchwork-installed"), "{\"lockfileVersion\":3}patch apatch b");
    }

    @Test
    void an_install_from_the_lockfile_and_patches_there_is_current() {
        assertThat(install.isCurrent()).isTrue();
    }

    @Test
    void a_changed_patch_makes_it_outdated() throws IOException {
        Files.writeString(dir.resolve("patches/a+1.0.0.patch"), "patch a, mended");
        assertThat(install.isCurrent()).isFalse();
    }

    @Test
    void a_new_patch_makes_it_outdated() throws IOException {
        Files.writeString(dir.resolve("patches/c+1.0.0.patch"), "patch c");
        assertThat(install.isCurrent()).isFalse();
    }

    @Test
    void a_changed_lockfile_makes_it_outdated() throws IOException {
        Files.writeString(dir.resolve("package-lock.json"), "{\"lockfileVersion\":3,\"packages\":{}}");
        assertThat(install.isCurrent()).isFalse();
    }

    @Test
    void an_install_that_recorded_nothing_is_outdated() throws IOException {
        Files.delete(dir.resolve("node_modules/.couchwork-installed"));
        assertThat(install.isCurrent()).isFalse();
    }

    @Test
    void no_server_script_is_no_install() throws IOException {
        Files.delete(install.serverScript());
        assertThat(install.isCurrent()).isFalse();
    }
}
