package org.jzeo.rar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.jzeo.rar.ServerFixture.text;

import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import javax.transaction.xa.XAResource;
import javax.transaction.xa.Xid;
import org.jzeo.api.Oid;
import org.jzeo.api.StorageConnection;
import org.jzeo.api.StorageConnectionFactory;
import org.jzeo.api.StorageException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Blobs through the resource adapter's handles: the blob properties reach the client, in XA branches too. */
class BlobsThroughAdapterTest {
    @TempDir
    Path dir;
    private ServerFixture fixture;

    @BeforeEach
    void start() throws Exception {
        fixture = new ServerFixture(dir, true);
        fixture.factory.setBlobDirectory(dir.resolve("client-blobs").toString());
        fixture.factory.setBlobCacheSize(10_000_000L);
    }

    @AfterEach
    void stop() {
        fixture.close();
    }

    @Test
    void aBlobWrittenInAnXaBranchIsCommittedAndStreamsBack() throws Exception {
        byte[] content = new byte[200_000];
        new Random(3).nextBytes(content);
        JzeoManagedConnection mc = fixture.newManagedConnection();
        StorageConnection handle = (StorageConnection) mc.getConnection(null, null);
        assertThat(handle.supportsBlobs()).isTrue();
        XAResource xa = mc.getXAResource();
        Xid xid = TestXid.of("blob", "1");

        xa.start(xid, XAResource.TMNOFLAGS);
        Oid oid = handle.newOid();
        handle.writeBlob(oid, text("picture"), List.of(), new ByteArrayInputStream(content));
        xa.end(xid, XAResource.TMSUCCESS);
        assertThat(xa.prepare(xid)).isEqualTo(XAResource.XA_OK);
        xa.commit(xid, false);

        handle.begin();
        assertThat(handle.blobSize(oid)).isEqualTo(content.length);
        assertThat(handle.openBlob(oid).readAllBytes()).isEqualTo(content);
        handle.commit();
        handle.close();
    }

    @Test
    void withoutBlobDirectoryTheErrorNamesTheOption() throws Exception {
        fixture.factory.setBlobDirectory(null);
        StorageConnectionFactory factory = (StorageConnectionFactory) fixture.factory.createConnectionFactory();
        try (StorageConnection c = factory.getConnection()) {
            assertThat(c.supportsBlobs()).isFalse();
            c.begin();
            assertThatThrownBy(() -> c.writeBlob(c.newOid(), text("x"), List.of(),
                    new ByteArrayInputStream(new byte[1]))).isInstanceOf(StorageException.class)
                    .hasMessageContaining("blob-dir");
            c.abort();
        }
    }
}
