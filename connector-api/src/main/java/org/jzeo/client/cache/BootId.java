package org.jzeo.client.cache;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** The Linux boot id, which changes at every boot: tells a process crash from a machine crash. */
final class BootId {
    private static final Path SOURCE = Path.of("/proc/sys/kernel/random/boot_id");

    private BootId() {
    }

    /** This boot's id, or null when it cannot be read (not Linux, no /proc): then no dirty file is trusted. */
    static String read() {
        try {
            String id = new String(Files.readAllBytes(SOURCE), StandardCharsets.US_ASCII).trim();
            return id.isEmpty() || id.length() > CacheHeader.BOOT_ID_BYTES ? null : id;
        } catch (IOException | SecurityException e) {
            return null;
        }
    }
}
