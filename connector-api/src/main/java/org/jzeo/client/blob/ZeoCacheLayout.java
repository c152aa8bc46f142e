package org.jzeo.client.blob;

import java.nio.file.Path;
import java.util.HexFormat;
import org.jzeo.api.Oid;
import org.jzeo.api.Tid;

/**
 * ZEO's {@code BlobCacheLayout} ("zeocache"): 997 folders named by {@code oid % 997}, in each the file
 * {@code <oid // 997>.<tid as 16 hex digits>.blob}. The same names as Python's ZEO client, so a Python and a Java
 * client can share one blob cache. Oids are unsigned 64-bit numbers, as ZODB's {@code u64} reads them.
 */
public final class ZeoCacheLayout implements BlobLayout {
    public static final String NAME = "zeocache";
    /** ZEO's folder count: a prime, so consecutive oids spread over every folder. */
    static final long FOLDERS = 997;

    @Override
    public Path folderOf(Oid oid) {
        return Path.of(Long.toUnsignedString(Long.remainderUnsigned(oid.value(), FOLDERS)));
    }

    @Override
    public Path fileOf(Oid oid, Tid tid) {
        return folderOf(oid).resolve(Long.toUnsignedString(Long.divideUnsigned(oid.value(), FOLDERS)) + "."
                + HexFormat.of().formatHex(tid.toBytes()) + BlobDirectory.BLOB_SUFFIX);
    }

    @Override
    public String name() {
        return NAME;
    }

    /** True for the names of this layout's oid folders (ZEO's trim looks at these only). */
    static boolean isOidFolder(String name) {
        return !name.isEmpty() && name.chars().allMatch(Character::isDigit);
    }
}
