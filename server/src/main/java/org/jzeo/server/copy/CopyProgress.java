package org.jzeo.server.copy;

import java.time.Duration;

/**
 * How far a copy has got: what was copied (or, in a dry run, read) so far and how long it took.
 *
 * @param transactions transactions copied
 * @param records      data records copied (deletions and back pointers included)
 * @param blobs        blob files copied
 * @param bytes        record data plus blob content, in bytes
 * @param elapsed      time since the copy started
 */
public record CopyProgress(long transactions, long records, long blobs, long bytes, Duration elapsed) {

    public static CopyProgress none() {
        return new CopyProgress(0, 0, 0, 0, Duration.ZERO);
    }

    /** Megabytes (10^6 bytes, as {@code ByteSize} counts) per second; 0 before any time has passed. */
    public double megabytesPerSecond() {
        double seconds = elapsed.toNanos() / 1e9;
        return seconds <= 0 ? 0 : bytes / 1e6 / seconds;
    }

    CopyProgress plus(long records, long blobs, long bytes, Duration elapsed) {
        return new CopyProgress(transactions + 1, this.records + records, this.blobs + blobs, this.bytes + bytes,
                elapsed);
    }
}
