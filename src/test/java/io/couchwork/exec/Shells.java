package io.couchwork.exec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/** The shells jobs are tested under: a path, or "busybox" for busybox's sh; a test is skipped where one is missing. */
final class Shells {

    private Shells() {}

    /** The shell's path; for busybox a link named sh in {@code temp} (busybox runs the applet its link is named after). */
    static String path(String shell, Path temp) throws IOException {
        if (!shell.equals("busybox")) {
            Assumptions.assumeTrue(Files.isExecutable(Path.of(shell)), shell + " is not installed");
            return shell;
        }
        Path busybox = Stream.of("/usr/bin/busybox", "/bin/busybox").map(Path::of).filter(Files::isExecutable)
                .findFirst().orElse(null);
        Assumptions.assumeTrue(busybox != null, "busybox is not installed (apt-get install busybox)");
        Path sh = Files.createDirectories(temp.resolve("busybox")).resolve("sh");
        if (!Files.exists(sh)) {
            Files.createSymbolicLink(sh, busybox);
        }
        return sh.toString();
    }
}
