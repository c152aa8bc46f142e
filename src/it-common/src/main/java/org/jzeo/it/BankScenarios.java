package org.jzeo.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.jzeo.api.Tid;
import org.jzeo.it.BankApp.Answer;
import org.jzeo.it.BankApp.Source;

/**
 * What the example bank must do in every application server, called over HTTP as a user would: each transfer
 * writes two accounts in jzeo and two journal rows in an XA datasource in one container-managed transaction, so after
 * every scenario the balances in jzeo, the balances summed from the journal, and the balances a Java SE client reads
 * straight from the jzeo server must agree.
 *
 * <p>A container's test class extends this one, deploys the resource adapter, the datasource and the example, and
 * says where they are ({@link #bank()}, {@link #storage()}). Each scenario uses its own accounts. The two scenarios
 * that kill the storage server come last.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
public abstract class BankScenarios {
    protected static final Duration RECOVERY_TIMEOUT = Duration.ofSeconds(90);

    /** The deployed example. */
    protected abstract BankApp bank();

    /** The jzeo server the container's connection factory points at. */
    protected abstract StorageUnderTest storage();

    /**
     * Asks the container to run its XA recovery now, for containers whose recovery is not periodic; called
     * repeatedly while a scenario waits for recovery to finish a transaction.
     */
    protected void requestRecovery() throws Exception {
    }

    /**
     * What the application answers for a transfer whose jzeo commit was lost after both resources prepared: the
     * transaction is decided (committed) and one branch is left to recovery. Narayana reports the commit as done.
     */
    protected void expectAnswerWhenTheStorageCommitWasLost(Answer answer) {
        assertThat(answer.status()).as("the transaction was decided, one branch to be finished by recovery: "
                + answer.body()).isEqualTo(200);
    }

    @Test
    @Order(1)
    void aTransferCommitsInTheStorageAndInTheJournal() throws Exception {
        assertThat(bank().open(100, "alice", "bob").status()).isEqualTo(200);
        Tid before = StorageView.lastTransaction(storage());

        Answer answer = bank().transfer("alice", "bob", 30, false);

        assertThat(answer.status()).as(answer.body()).isEqualTo(200);
        Map<String, Long> expected = Map.of("alice", 70L, "bob", 130L);
        assertThat(balances(Source.STORAGE, "alice", "bob")).isEqualTo(expected);
        assertThat(balances(Source.JOURNAL, "alice", "bob")).isEqualTo(expected);
        assertThat(seenBySeClient("alice", "bob")).isEqualTo(expected);
        assertThat(StorageView.lastTransaction(storage()).isAfter(before)).isTrue();
    }

    @Test
    @Order(2)
    void aTransferThatFailsAfterWritingToBothRollsBothBack() throws Exception {
        assertThat(bank().open(100, "carol", "dave").status()).isEqualTo(200);
        Tid before = StorageView.lastTransaction(storage());

        Answer answer = bank().transfer("carol", "dave", 40, true);

        assertThat(answer.status()).as(answer.body()).isEqualTo(500);
        assertThat(answer.body()).startsWith("rolled back:").contains("after writing to jzeo and the journal");
        Map<String, Long> unchanged = Map.of("carol", 100L, "dave", 100L);
        assertThat(balances(Source.STORAGE, "carol", "dave")).isEqualTo(unchanged);
        assertThat(balances(Source.JOURNAL, "carol", "dave")).isEqualTo(unchanged);
        assertThat(seenBySeClient("carol", "dave")).isEqualTo(unchanged);
        assertThat(StorageView.lastTransaction(storage())).as("nothing committed in jzeo").isEqualTo(before);
    }

    @Test
    @Order(3)
    void concurrentConflictingTransfersAreRetriedAndTheTotalIsPreserved() throws Exception {
        String[] accounts = {"k1", "k2", "k3"};
        assertThat(bank().open(1000, accounts).status()).isEqualTo(200);
        int threads = 6;
        int transfersPerThread = 15;

        List<Future<List<Answer>>> results = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            for (int t = 0; t < threads; t++) {
                Random random = new Random(1000 + t);
                results.add(pool.submit(() -> {
                    List<Answer> answers = new ArrayList<>();
                    for (int i = 0; i < transfersPerThread; i++) {
                        int from = random.nextInt(accounts.length);
                        int to = (from + 1 + random.nextInt(accounts.length - 1)) % accounts.length;
                        answers.add(bank().transfer(accounts[from], accounts[to], 1 + random.nextInt(10), false));
                    }
                    return answers;
                }));
            }
            int attempts = 0;
            for (Future<List<Answer>> result : results) {
                for (Answer answer : result.get()) {
                    assertThat(answer.status()).as(answer.body()).isEqualTo(200);
                    attempts += answer.attempts();
                }
            }
            int transfers = threads * transfersPerThread;
            System.out.println("[scenario] " + transfers + " conflicting transfers took " + attempts + " attempts");
            assertThat(attempts).as("conflicts happened and were retried").isGreaterThan(transfers);
        } finally {
            pool.shutdownNow();
        }

        Map<String, Long> stored = balances(Source.STORAGE, accounts);
        assertThat(stored.values().stream().mapToLong(Long::longValue).sum()).as("total").isEqualTo(3000);
        assertThat(stored.values()).allMatch(balance -> balance >= 0);
        assertThat(balances(Source.JOURNAL, accounts)).isEqualTo(stored);
        assertThat(seenBySeClient(accounts)).isEqualTo(stored);
    }

    @Test
    @Order(4)
    void afterTheStorageServerDiesBetweenPrepareAndCommitTheContainersRecoveryCommits() throws Exception {
        assertThat(bank().open(100, "erin", "frank").status()).isEqualTo(200);
        storage().killOnNextXaCommit();

        Answer answer = bank().transfer("erin", "frank", 25, false);

        javax.transaction.xa.Xid decided = storage().awaitKilledOnXaCommit(Duration.ofSeconds(30));
        assertThat(decided).as("the container sent an XA commit, and the server was killed before it arrived")
                .isNotNull();
        expectAnswerWhenTheStorageCommitWasLost(answer);
        Map<String, Long> committed = Map.of("erin", 75L, "frank", 125L);
        assertThat(balances(Source.JOURNAL, "erin", "frank")).as("the datasource's branch").isEqualTo(committed);

        storage().restart();
        assertThat(StorageView.preparedXids(storage())).as("the branch survived the kill, prepared")
                .containsExactly(decided);
        Await.until("the container's recovery to commit the prepared branch", RECOVERY_TIMEOUT, () -> {
            requestRecovery();
            return StorageView.preparedBranches(storage()) == 0;
        });

        assertThat(seenBySeClient("erin", "frank")).isEqualTo(committed);
        assertThat(balances(Source.STORAGE, "erin", "frank")).isEqualTo(committed);
        assertThat(StorageView.revisions(storage(), "erin")).as("erin's revisions: opened, then the recovered"
                + " transfer committed once").isEqualTo(2);
        assertThat(StorageView.revisions(storage(), "frank")).as("frank's revisions").isEqualTo(2);
        Answer next = bank().transfer("erin", "frank", 5, false);
        assertThat(next.status()).as("the branch's locks are released: " + next.body()).isEqualTo(200);
        assertThat(balances(Source.STORAGE, "erin", "frank")).isEqualTo(Map.of("erin", 70L, "frank", 130L));
        assertThat(balances(Source.JOURNAL, "erin", "frank")).isEqualTo(Map.of("erin", 70L, "frank", 130L));
    }

    @Test
    @Order(5)
    void thePoolSurvivesAStorageServerRestart() throws Exception {
        assertThat(bank().open(100, "gina", "hal").status()).isEqualTo(200);
        assertThat(bank().transfer("gina", "hal", 10, false).status()).isEqualTo(200);

        // get_info is the last call of the adapter's client before it goes live again on a new connection.
        long connections = storage().containerCallsAnswered("get_info");
        storage().kill9();
        storage().restart();
        Await.until("the adapter's client to reconnect and verify its cache", RECOVERY_TIMEOUT,
                () -> storage().containerCallsAnswered("get_info") > connections);

        for (int i = 0; i < 5; i++) {
            Answer answer = bank().transfer("gina", "hal", 1, false);
            assertThat(answer.status()).as("transfer %d after the restart: %s", i, answer.body()).isEqualTo(200);
            assertThat(answer.attempts()).as("no pooled connection failed after the reconnection").isEqualTo(1);
        }
        Map<String, Long> expected = Map.of("gina", 85L, "hal", 115L);
        assertThat(balances(Source.STORAGE, "gina", "hal")).isEqualTo(expected);
        assertThat(balances(Source.JOURNAL, "gina", "hal")).isEqualTo(expected);
        assertThat(seenBySeClient("gina", "hal")).isEqualTo(expected);
    }

    private Map<String, Long> balances(Source source, String... accounts) throws Exception {
        return only(bank().balances(source), accounts);
    }

    private Map<String, Long> seenBySeClient(String... accounts) {
        return only(StorageView.balances(storage()), accounts);
    }

    private static Map<String, Long> only(Map<String, Long> balances, String... accounts) {
        Map<String, Long> selected = new TreeMap<>();
        for (String account : accounts) {
            if (balances.containsKey(account)) {
                selected.put(account, balances.get(account));
            }
        }
        return selected;
    }
}
