package org.jzeo.server.xa;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.jzeo.api.ConflictException;
import org.jzeo.api.Oid;
import org.jzeo.api.Tid;
import org.jzeo.protocol.WireXid;
import org.jzeo.server.RunningServer;
import org.jzeo.server.TestServers;
import org.jzeo.server.testclient.ZeoTestClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * xa_recover while branches are prepared, committed, rolled back and refused concurrently: every answer lists
 * each branch whose prepare was answered and whose completion had not been asked for, and never a branch whose
 * prepare failed, was not sent yet, or whose completion was answered before the recover was sent.
 */
class XaRecoverStressTest {
    private static final Duration RUN = Duration.ofSeconds(3);

    @TempDir
    Path dir;

    /** Client-side times (System.nanoTime) of one branch's calls; 0 until it happened. */
    private static final class Times {
        volatile long voteSent;
        volatile long voteAnswered;
        volatile long completionSent;
        volatile long completionAnswered;
        volatile boolean failed;
    }

    @Test
    void recoverNeverListsAnUnpreparedBranchNorMissesAPreparedOne() throws Exception {
        Map<WireXid, Times> branches = new ConcurrentHashMap<>();
        List<String> violations = new CopyOnWriteArrayList<>();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger recovers = new AtomicInteger();
        AtomicInteger failedVotes = new AtomicInteger();
        try (RunningServer server = TestServers.start(dir.resolve("Data.fs"),
                z -> z.withLockWait(Duration.ofMillis(200)))) {
            List<Thread> threads = new ArrayList<>();
            List<Throwable> errors = new CopyOnWriteArrayList<>();
            for (int w = 0; w < 3; w++) {
                int worker = w;
                threads.add(new Thread(() -> {
                    try (ZeoTestClient c = XaCalls.connect(server)) {
                        Oid own = c.newOids(1).get(0);
                        Tid serial = Tid.ZERO;
                        for (int i = 0; !stop.get(); i++) {
                            WireXid xid = XaCalls.xid("stress-" + worker + "-" + i, worker);
                            Times t = new Times();
                            branches.put(xid, t);
                            boolean stale = i % 5 == 4 && !serial.equals(Tid.ZERO);
                            t.voteSent = System.nanoTime();
                            try {
                                XaCalls.prepare(c, i + 1, xid, own, stale ? Tid.ZERO : serial, "v" + i);
                            } catch (ConflictException e) {
                                t.failed = true;
                                failedVotes.incrementAndGet();
                                continue;
                            }
                            t.voteAnswered = System.nanoTime();
                            if (stale) {
                                throw new AssertionError("a stale serial was accepted for " + xid);
                            }
                            t.completionSent = System.nanoTime();
                            if (i % 3 == 0) {
                                XaCalls.rollback(c, xid);
                            } else {
                                serial = XaCalls.commit(c, xid).tid();
                            }
                            t.completionAnswered = System.nanoTime();
                        }
                    } catch (Throwable e) {
                        errors.add(e);
                    }
                }, "xa-worker-" + w));
            }
            threads.add(new Thread(() -> {
                try (ZeoTestClient c = XaCalls.connect(server)) {
                    while (!stop.get()) {
                        long sent = System.nanoTime();
                        List<WireXid> listed = XaCalls.recover(c);
                        long received = System.nanoTime();
                        recovers.incrementAndGet();
                        check(branches, Set.copyOf(listed), sent, received, violations);
                    }
                } catch (Throwable e) {
                    errors.add(e);
                }
            }, "xa-recover"));
            threads.forEach(Thread::start);
            Thread.sleep(RUN.toMillis());
            stop.set(true);
            for (Thread t : threads) {
                t.join(30_000);
            }
            assertThat(errors).isEmpty();
        }
        assertThat(violations).isEmpty();
        assertThat(recovers.get()).as("recover calls").isGreaterThan(20);
        assertThat(branches.size()).as("branches").isGreaterThan(20);
        assertThat(failedVotes.get()).as("refused prepares").isGreaterThan(0);
    }

    private static void check(Map<WireXid, Times> branches, Set<WireXid> listed, long sent, long received,
                              List<String> violations) {
        for (WireXid xid : listed) {
            Times t = branches.get(xid);
            if (t == null || t.voteSent == 0 || t.voteSent > received) {
                violations.add(xid + " listed before its prepare was sent");
            } else if (t.failed) {
                violations.add(xid + " listed although its prepare failed");
            } else if (t.completionAnswered != 0 && t.completionAnswered < sent) {
                violations.add(xid + " listed although its completion was answered before recover was sent");
            }
        }
        for (Map.Entry<WireXid, Times> e : branches.entrySet()) {
            Times t = e.getValue();
            boolean preparedBefore = t.voteAnswered != 0 && t.voteAnswered < sent;
            boolean completionAsked = t.completionSent != 0 && t.completionSent < received;
            if (preparedBefore && !completionAsked && !listed.contains(e.getKey())) {
                violations.add(e.getKey() + " prepared before recover was sent, not completed, but not listed");
            }
        }
    }
}
