package org.jzeo.client.blob;

import java.nio.file.Path;
import org.jzeo.api.Oid;
import org.jzeo.api.Tid;

/**
 * ZODB's {@code LawnLayout} ("lawn"), the older flat layout a FileStorage's blob directory may still have: one
 * folder per oid named by ZODB's {@code oid_repr} ({@code 0x2a}), files named as in {@link BushyLayout}.
 */
public final class LawnLayout implements BlobLayout {
    public static final String NAME = "lawn";

    @Override
    public Path folderOf(Oid oid) {
        return Path.of(BushyLayout.repr(oid.value()));
    }

    @Override
    public Path fileOf(Oid oid, Tid tid) {
        return folderOf(oid).resolve(BushyLayout.tidRepr(tid) + BlobDirectory.BLOB_SUFFIX);
    }

    @Override
    public String name() {
        return NAME;
    }
}
