package org.jzeo.server.storage.file;

import java.nio.charset.StandardCharsets;

/** Constants of ZODB's Data.fs format (filestorage-format spec §2–§4). */
public final class FileFormat {
    /** The magic ZODB 5/6 on Python 3 writes and requires. */
    public static final byte[] MAGIC = "FS30".getBytes(StandardCharsets.US_ASCII);
    /** The Python-2 era magic: readable, never written. */
    public static final byte[] MAGIC_PY2 = "FS21".getBytes(StandardCharsets.US_ASCII);
    public static final int MAGIC_LENGTH = 4;
    public static final int TRANS_HDR_LEN = 23;
    public static final int DATA_HDR_LEN = 42;
    /** Length of the redundant transaction length that closes every transaction record. */
    public static final int TRAILER_LEN = 8;

    public static final byte STATUS_COMMITTED = ' ';
    public static final byte STATUS_PACKED = 'p';
    public static final byte STATUS_CHECKPOINT = 'c';
    public static final byte STATUS_UNDONE = 'u';

    private FileFormat() {
    }
}
