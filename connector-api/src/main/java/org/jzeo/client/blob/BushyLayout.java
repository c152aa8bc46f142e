package org.jzeo.client.blob;

import java.nio.file.Path;
import java.util.HexFormat;
import org.jzeo.api.Oid;
import org.jzeo.api.Tid;

/**
 * ZODB's {@code BushyLayout} ("bushy"), the layout of a FileStorage's blob directory: one folder per oid byte,
 * most significant first ({@code 0x00/0x00/.../0x2a}), in the last the file {@code <tid repr>.blob}, where the
 * tid's repr is ZODB's {@code tid_repr}: {@code 0x} and the hex digits without leading zeros, padded to an even
 * count. A client in shared-blob-dir mode reads and writes the server's files by these names.
 */
public final class BushyLayout implements BlobLayout {
    public static final String NAME = "bushy";

    @Override
    public Path folderOf(Oid oid) {
        byte[] bytes = oid.toBytes();
        String[] parts = new String[bytes.length - 1];
        for (int i = 1; i < bytes.length; i++) {
            parts[i - 1] = "0x" + HexFormat.of().toHexDigits(bytes[i]);
        }
        return Path.of("0x" + HexFormat.of().toHexDigits(bytes[0]), parts);
    }

    @Override
    public Path fileOf(Oid oid, Tid tid) {
        return folderOf(oid).resolve(tidRepr(tid) + BlobDirectory.BLOB_SUFFIX);
    }

    @Override
    public String name() {
        return NAME;
    }

    /** ZODB's {@code tid_repr}: {@code 0x} plus hex without leading zeros, an even number of digits (at least 2). */
    public static String tidRepr(Tid tid) {
        return repr(tid.value());
    }

    /** ZODB's {@code oid_repr}/{@code tid_repr} of 8 bytes. */
    public static String repr(long value) {
        String hex = Long.toHexString(value);
        if (value == 0) {
            return "0x00";
        }
        return (hex.length() % 2 == 1 ? "0x0" : "0x") + hex;
    }
}
