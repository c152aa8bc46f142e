package org.jzeo.e2e.xa;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jzeo.e2e.BlobServers.digest;

import jakarta.transaction.TransactionManager;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.transaction.xa.XAResource;
import javax.transaction.xa.Xid;
import org.jzeo.api.Oid;
import org.jzeo.api.StorageConnection;
import org.jzeo.client.ClientConnectionFactory;
import org.jzeo.client.StorageXAResource;
import org.jzeo.e2e.BlobServers;
import org.jzeo.objects.Blob;
import org.jzeo.objects.ObjectConnection;
import org.jzeo.objects.ObjectDatabase;
import org.jzeo.objects.ObjectTypes;
import org.jzeo.protocol.WireXid;
import org.jzeo.server.process.ServerProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Blobs in XA branches: committed by Narayana with the rest of the branch (through the record API and the object
 * layer's {@link Blob}), dropped by a rollback, and a prepared branch's blob surviving the server's SIGKILL until a
 * transaction manager commits it after the restart.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class BlobXaTest {
    @TempDir
    Path dir;

    @Test
    void narayanaCommitsABlobWithItsBranchAndARollbackLeavesNothing(@TempDir Path tmp) throws Exception {
        Path content = BlobServers.content(tmp, 700_000, 11);
        String expected = digest(content);
        try (ServerProcess server = BlobServers.start(dir);
             ClientConnectionFactory factory = new ClientConnectionFactory(BlobServers.client(server,
                     tmp.resolve("cache")));
             StorageConnection c = factory.getConnection()) {
            TransactionManager tm = Narayana.transactionManager();
            tm.begin();
            tm.getTransaction().enlistResource(StorageXAResource.of(c));
            Oid oid = c.newOid();
            try (InputStream in = Files.newInputStream(content)) {
                c.writeBlob(oid, "doc".getBytes(StandardCharsets.UTF_8), List.of(), in);
            }
            c.write(c.rootOid(), "root".getBytes(StandardCharsets.UTF_8), List.of(oid));
            tm.getTransaction().enlistResource(secondResource()); // two resources: a real two-phase commit
            tm.commit();

            try (ClientConnectionFactory fresh = new ClientConnectionFactory(BlobServers.client(server,
                    tmp.resolve("fresh")));
                 StorageConnection r = fresh.getConnection()) {
                r.begin();
                assertThat(digest(r.openBlob(oid))).isEqualTo(expected);
                r.commit();
            }

            tm.begin();
            tm.getTransaction().enlistResource(StorageXAResource.of(c));
            Oid dropped = c.newOid();
            c.writeBlob(dropped, new byte[0], List.of(), new java.io.ByteArrayInputStream(new byte[5000]));
            tm.rollback();
            c.begin();
            assertThat(c.exists(dropped)).isFalse();
            c.commit();
            try (var staged = Files.list(tmp.resolve("cache").resolve("tmp"))) {
                assertThat(staged).as("no temporary blob file left by either branch").isEmpty();
            }
        }
    }

    @Test
    void theObjectLayersBlobIsCommittedInAJtaTransaction(@TempDir Path tmp) throws Exception {
        byte[] bytes = new byte[150_000];
        new java.util.Random(5).nextBytes(bytes);
        try (ServerProcess server = BlobServers.start(dir);
             ClientConnectionFactory factory = new ClientConnectionFactory(BlobServers.client(server,
                     tmp.resolve("cache")))) {
            ObjectDatabase db = ObjectDatabase.over(factory, ObjectTypes.of());
            TransactionManager tm = Narayana.transactionManager();
            try (ObjectConnection conn = db.open()) {
                tm.begin();
                tm.getTransaction().enlistResource(StorageXAResource.of(conn.storage()));
                tm.getTransaction().enlistResource(secondResource());
                Blob blob = new Blob();
                try (var out = blob.openOutputStream()) {
                    out.write(bytes);
                }
                conn.root().put("picture", blob);
                tm.commit();

                conn.begin(); // the same connection and instance, in its next (local) transaction
                assertThat(blob.size()).as("the new blob, once its branch committed").isEqualTo(bytes.length);
                try (InputStream in = blob.openInputStream()) {
                    assertThat(Arrays.equals(in.readAllBytes(), bytes)).isTrue();
                }
                conn.commit();
            }
            try (ClientConnectionFactory fresh = new ClientConnectionFactory(BlobServers.client(server,
                    tmp.resolve("fresh")))) {
                ObjectDatabase other = ObjectDatabase.over(fresh, ObjectTypes.of());
                byte[] read = other.call(conn -> {
                    Blob blob = (Blob) conn.root().get("picture");
                    assertThat(blob.size()).isEqualTo(bytes.length);
                    try (InputStream in = blob.openInputStream()) {
                        return in.readAllBytes();
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                });
                assertThat(Arrays.equals(read, bytes)).as("the blob's content").isTrue();
            }
        }
    }

    @Test
    void aPreparedBranchWithABlobSurvivesKill9AndCommitsAfterTheRestart(@TempDir Path tmp) throws Exception {
        Path content = BlobServers.content(tmp, 2_000_000, 13);
        String expected = digest(content);
        Xid xid = new WireXid(0x4A5A, "blob-prepared".getBytes(StandardCharsets.UTF_8),
                "jzeo".getBytes(StandardCharsets.UTF_8));
        ServerProcess first = BlobServers.start(dir);
        ServerProcess second = null;
        Oid oid;
        try {
            try (ClientConnectionFactory factory = new ClientConnectionFactory(BlobServers.client(first,
                    tmp.resolve("cache")));
                 StorageConnection c = factory.getConnection()) {
                XAResource xa = StorageXAResource.of(c);
                xa.start(xid, XAResource.TMNOFLAGS);
                oid = c.newOid();
                try (InputStream in = Files.newInputStream(content)) {
                    c.writeBlob(oid, "prepared".getBytes(StandardCharsets.UTF_8), List.of(), in);
                }
                c.write(c.rootOid(), "root".getBytes(StandardCharsets.UTF_8), List.of(oid));
                xa.end(xid, XAResource.TMSUCCESS);
                assertThat(xa.prepare(xid)).isEqualTo(XAResource.XA_OK);
                first.kill9();
            }
            second = first.restart();
            try (ClientConnectionFactory factory = new ClientConnectionFactory(BlobServers.client(second,
                    tmp.resolve("cache-after")));
                 StorageConnection c = factory.getConnection()) {
                XAResource xa = StorageXAResource.of(c);
                assertThat(Arrays.stream(xa.recover(XAResource.TMSTARTRSCAN)).map(XaFixtures::gtrid))
                        .as("xa_recover after the restart").contains(XaFixtures.gtrid(xid));
                c.begin();
                assertThat(c.exists(oid)).as("not committed yet").isFalse();
                c.commit();
                xa.commit(xid, false);
                c.begin();
                assertThat(digest(c.openBlob(oid))).isEqualTo(expected);
                c.commit();
            }
        } finally {
            first.close();
            if (second != null) {
                second.close();
            }
        }
    }

    /** A second resource that votes yes, so that Narayana runs a real two-phase commit. */
    private static XAResource secondResource() {
        return new NoOpXAResource() {
            private static final long serialVersionUID = 1L;

            @Override
            public int prepare(Xid xid) {
                return XA_OK;
            }
        };
    }
}
