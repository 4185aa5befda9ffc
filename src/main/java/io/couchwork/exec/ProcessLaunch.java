package io.couchwork.exec;

import java.util.Locale;

/**
 * Chooses how the JVM starts processes. On Linux the default (posix_spawn through the jspawnhelper program) executes two
 * programs per job; vfork executes only the job's own, which makes a short shell job markedly cheaper to start. VFORK is
 * chosen only where it is known to exist (Linux, Java 17 to 25): a later JDK that dropped it would fail every start.
 */
public final class ProcessLaunch {

    static final String PROPERTY = "jdk.lang.Process.launchMechanism";
    private static final int NEWEST_TESTED_JAVA = 25;

    private ProcessLaunch() {}

    /** Call before the first process starts; a mechanism the user chose (-Djdk.lang.Process.launchMechanism) stays. */
    public static void preferVfork() {
        boolean linux = System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux");
        if (linux && System.getProperty(PROPERTY) == null && Runtime.version().feature() <= NEWEST_TESTED_JAVA) {
            System.setProperty(PROPERTY, "VFORK");
        }
    }
}
