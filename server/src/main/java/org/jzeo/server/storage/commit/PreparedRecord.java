package org.jzeo.server.storage.commit;

import java.nio.file.Path;
import org.jzeo.api.Oid;

/**
 * One record of a voted transaction, ready to be written.
 *
 * @param blob the file whose content becomes the committed blob of this revision at finish (an upload, or for undo
 *             the restored revision's committed file), or null when the revision has no blob
 */
public record PreparedRecord(Oid oid, RecordSource source, Path blob) {

    /** A record without a blob. */
    public PreparedRecord(Oid oid, RecordSource source) {
        this(oid, source, null);
    }

    /** This record with {@code file} as its blob. */
    public PreparedRecord withBlob(Path file) {
        return new PreparedRecord(oid, source, file);
    }
}
