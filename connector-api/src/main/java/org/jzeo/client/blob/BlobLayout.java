package org.jzeo.client.blob;

import java.nio.file.Path;
import org.jzeo.api.Oid;
import org.jzeo.api.Tid;

/** Where a blob directory keeps the file of one revision (ZODB's blob directory layouts). */
public interface BlobLayout {

    /** The folder of {@code oid}'s files, relative to the blob directory. */
    Path folderOf(Oid oid);

    /** The file of revision {@code tid} of {@code oid}, relative to the blob directory. */
    Path fileOf(Oid oid, Tid tid);

    /** The name ZODB writes into the directory's {@code .layout} file. */
    String name();
}
