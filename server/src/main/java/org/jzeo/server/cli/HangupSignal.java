package org.jzeo.server.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Whether SIGHUP reaches this process: a process started under nohup inherits it ignored, and the JVM never sees it. */
public final class HangupSignal {
    private HangupSignal() {
    }

    /** True when Linux says SIGHUP is ignored (bit 0 of SigIgn in /proc/self/status); false when unknown. */
    public static boolean ignoredAtStart() {
        try {
            return Files.readAllLines(Path.of("/proc/self/status")).stream()
                    .filter(line -> line.startsWith("SigIgn:"))
                    .anyMatch(line -> (Long.parseUnsignedLong(line.substring(7).trim(), 16) & 1L) != 0);
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }
}
