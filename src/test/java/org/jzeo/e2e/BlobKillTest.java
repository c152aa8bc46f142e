package org.jzeo.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jzeo.e2e.BlobServers.digest;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.jzeo.api.Oid;
import org.jzeo.api.Tid;
import org.jzeo.client.ClientStorage;
import org.jzeo.server.process.ServerProcess;
import org.jzeo.storage.StorageTransaction;
import org.jzeo.storage.TransactionMetadata;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A blob whose commit was acknowledged survives the server's SIGKILL: after a restart it reads back identical. */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class BlobKillTest {
    @TempDir
    Path dir;

    @Test
    void anAcknowledgedBlobReadsBackByteIdenticalAfterKill9AndRestart(@TempDir Path tmp) throws Exception {
        Path content = BlobServers.content(tmp, 3_000_000, 7);
        String expected = digest(content);
        ServerProcess first = BlobServers.start(dir);
        ServerProcess second = null;
        try {
            Oid oid;
            Tid tid;
            try (ClientStorage writer = new ClientStorage(BlobServers.client(first, tmp.resolve("cache-w")))) {
                oid = writer.newOids(1).get(0);
                StorageTransaction txn = writer.begin(TransactionMetadata.of("", "before the kill", Map.of()));
                txn.storeBlob(oid, Tid.ZERO, "state".getBytes(), content);
                txn.vote();
                tid = txn.finish(); // acknowledged
                first.kill9();
            }
            second = first.restart();
            try (ClientStorage reader = new ClientStorage(BlobServers.client(second, tmp.resolve("cache-r")))) {
                assertThat(reader.loadBefore(oid, Tid.MAX).start()).isEqualTo(tid);
                assertThat(digest(reader.loadBlob(oid, tid))).isEqualTo(expected);
                assertThat(reader.blobDownloads()).as("from the restarted server, not a cache").isEqualTo(1);
            }
        } finally {
            first.close();
            if (second != null) {
                second.close();
            }
        }
    }
}
