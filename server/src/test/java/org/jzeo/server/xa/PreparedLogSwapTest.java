package org.jzeo.server.xa;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.jzeo.api.Oid;
import org.jzeo.api.Tid;
import org.jzeo.protocol.WireXid;
import org.jzeo.storage.Operation;
import org.jzeo.storage.TransactionMetadata;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * No path may shrink the prepared log's set of branches but a commit, rollback or forget of a branch: not an
 * append after close, not a compaction whose rename or reopen fails. Each failure is injected and the log is then
 * read back from disk, as the next start would read it.
 */
class PreparedLogSwapTest {
    @TempDir
    Path dir;

    private Path log() {
        return dir.resolve("Data.fs.jzxa");
    }

    private static XaLogRecord.Prepared prepared(int n) {
        WireXid xid = new WireXid(1, ("gtrid-" + n).getBytes(StandardCharsets.UTF_8), new byte[] {(byte) n});
        TransactionMetadata meta = new TransactionMetadata(new byte[0], new byte[0], Map.of(), null, ' ');
        return new XaLogRecord.Prepared(xid, 1_000L * n, Tid.of(n), 0, meta,
                List.of(new Operation.Store(Oid.of(n), Tid.ZERO, new byte[] {(byte) n})));
    }

    /** The xids of the records the next start reads, in file order (records hold arrays: compared by xid). */
    private List<WireXid> onDisk() throws IOException {
        return PreparedLog.read(log()).records().stream().map(XaLogRecord::xid).toList();
    }

    private static List<WireXid> xids(XaLogRecord... records) {
        return java.util.Arrays.stream(records).map(XaLogRecord::xid).toList();
    }

    /** File operations that fail the way a test asks, after the log was opened normally. */
    private static final class FailingFiles implements PreparedLog.LogFiles {
        volatile boolean failReplace;
        volatile boolean failOpen;

        @Override
        public FileChannel openForAppend(Path file) throws IOException {
            if (failOpen) {
                throw new IOException("injected: cannot open " + file);
            }
            return PreparedLog.LogFiles.super.openForAppend(file);
        }

        @Override
        public void replace(Path source, Path target) throws IOException {
            if (failReplace) {
                throw new IOException("injected: cannot rename " + source + " to " + target);
            }
            PreparedLog.LogFiles.super.replace(source, target);
        }
    }

    @Test
    void anAppendAfterCloseFailsAndTheBranchesStay() throws Exception {
        PreparedLog log = PreparedLog.open(log(), new ArrayList<>());
        log.append(prepared(1));
        log.append(prepared(2));
        log.close();

        assertThatThrownBy(() -> log.append(prepared(3))).isInstanceOf(IOException.class)
                .hasMessageContaining("closed");
        assertThatThrownBy(() -> log.appendLazily(prepared(4))).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> log.syncTo(Long.MAX_VALUE)).isInstanceOf(IOException.class);

        assertThat(onDisk()).as("what the next start reads")
                .containsExactlyElementsOf(xids(prepared(1), prepared(2)));
    }

    @Test
    void aFailedRenameLeavesTheOldLogInUse() throws Exception {
        FailingFiles files = new FailingFiles();
        PreparedLog log = PreparedLog.open(log(), new ArrayList<>(), files);
        log.append(prepared(1));
        log.append(prepared(2));

        files.failReplace = true;
        assertThatThrownBy(() -> log.rewrite(List.of(prepared(2)))).hasMessageContaining("injected");
        files.failReplace = false;
        log.append(prepared(3));

        assertThat(onDisk()).as("the compaction never happened; the append after it went to the old log")
                .containsExactlyElementsOf(xids(prepared(1), prepared(2), prepared(3)));
        assertThat(dir.resolve("Data.fs.jzxa.tmp")).doesNotExist();
        log.close();
    }

    @Test
    void aFailedReopenAfterTheSwapRefusesAppendsInsteadOfLosingThem() throws Exception {
        FailingFiles files = new FailingFiles();
        PreparedLog log = PreparedLog.open(log(), new ArrayList<>(), files);
        log.append(prepared(1));
        log.append(prepared(2));

        files.failOpen = true;
        assertThatThrownBy(() -> log.rewrite(List.of(prepared(1), prepared(2)))).hasMessageContaining("injected");
        files.failOpen = false;
        assertThatThrownBy(() -> log.append(prepared(3))).as("an append would go to the replaced file")
                .isInstanceOf(IOException.class);

        assertThat(onDisk()).as("the compacted log in place, with every live branch")
                .containsExactlyElementsOf(xids(prepared(1), prepared(2)));
        log.close();
    }

    @Test
    void aCompactionKeepsEveryLiveBranchAndLaterAppendsFollowIt() throws Exception {
        PreparedLog log = PreparedLog.open(log(), new ArrayList<>());
        log.append(prepared(1));
        log.append(prepared(2));
        log.rewrite(List.of(prepared(2)));
        log.append(prepared(3));
        log.close();

        assertThat(onDisk()).containsExactlyElementsOf(xids(prepared(2), prepared(3)));
    }

    /**
     * StorageServer.close may come while a commit still appends. Every append that returned is on disk; every one
     * after the close fails; the file is never replaced by an empty one.
     */
    @Test
    void closeRacingAppendsLosesNoAcknowledgedRecord() throws Exception {
        PreparedLog log = PreparedLog.open(log(), new ArrayList<>());
        log.append(prepared(0));
        List<XaLogRecord> acknowledged = new ArrayList<>(List.of(prepared(0)));
        AtomicReference<Throwable> refused = new AtomicReference<>();
        CountDownLatch appending = new CountDownLatch(1);
        Thread committer = new Thread(() -> {
            for (int n = 1; n < 100_000; n++) {
                try {
                    log.append(prepared(n % 250));
                    acknowledged.add(prepared(n % 250));
                } catch (IOException e) {
                    refused.set(e);
                    return;
                }
                if (n == 10) {
                    appending.countDown();
                }
            }
        }, "committer");
        committer.start();
        appending.await();
        log.close();
        committer.join(60_000);

        assertThat(committer.isAlive()).isFalse();
        assertThat(refused.get()).as("the first append after close fails loudly").isInstanceOf(IOException.class);
        assertThat(onDisk()).as("every acknowledged record, in order")
                .containsExactlyElementsOf(acknowledged.stream().map(XaLogRecord::xid).toList());
    }
}
