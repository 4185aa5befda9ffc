package io.couchwork;

/** Process exit codes of the couchwork command, following sysexits.h where one fits. */
public enum ExitCode {
    OK(0),
    FAILURE(1),
    USAGE(2),
    UNAVAILABLE(69),
    NO_PERMISSION(77),
    CONFIGURATION(78);

    private final int code;

    ExitCode(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }
}
