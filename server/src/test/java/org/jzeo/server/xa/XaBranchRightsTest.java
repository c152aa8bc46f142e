package org.jzeo.server.xa;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jzeo.server.xa.XaCalls.commit;
import static org.jzeo.server.xa.XaCalls.prepare;
import static org.jzeo.server.xa.XaCalls.recover;
import static org.jzeo.server.xa.XaCalls.xaError;
import static org.jzeo.server.xa.XaCalls.xid;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import javax.transaction.xa.XAException;
import org.jzeo.api.Oid;
import org.jzeo.api.Tid;
import org.jzeo.client.Credentials;
import org.jzeo.client.SignOn;
import org.jzeo.protocol.WireXid;
import org.jzeo.server.RunningServer;
import org.jzeo.server.TestServers;
import org.jzeo.server.auth.AccessRules;
import org.jzeo.server.auth.Right;
import org.jzeo.server.auth.TestUsers;
import org.jzeo.server.config.AuthConfig;
import org.jzeo.server.testclient.ZeoTestClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The XA methods check rights: a user completes only the branches they prepared, an admin any, and xa_recover lists a
 * user only their own; the owner survives a restart.
 */
class XaBranchRightsTest {
    @TempDir
    Path dir;
    private RunningServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private void start() throws Exception {
        Path users = dir.resolve("users");
        if (!Files.exists(users)) {
            TestUsers.write(users, "test", "alice", "a", "bob", "b", "ops", "o");
        }
        AccessRules rules = new AccessRules(Right.READ_WRITE,
                List.of(new AccessRules.Grant("ops", Right.ADMIN, Set.of())), List.of());
        AuthConfig auth = TestUsers.config(users, rules);
        server = TestServers.start(dir.resolve("Data.fs"), z -> z.withAuthentication(Optional.of(auth)));
    }

    private ZeoTestClient as(String user, String password) throws Exception {
        ZeoTestClient c = ZeoTestClient.connect(TestServers.address(server));
        SignOn.run(c::call, Credentials.of(user, password), "test");
        c.register("1", false);
        return c;
    }

    @Test
    void onlyTheOwnerOrAnAdminCompletesABranchEvenAfterARestart() throws Exception {
        start();
        WireXid mine = xid("alice's", 1);
        WireXid other = xid("alice's", 2);
        try (ZeoTestClient alice = as("alice", "a")) {
            Oid x = alice.newOids().get(0);
            Oid y = alice.newOids().get(0);
            prepare(alice, 1, mine, x, Tid.ZERO, "x");
            prepare(alice, 2, other, y, Tid.ZERO, "y");
        }
        try (ZeoTestClient bob = as("bob", "b")) {
            assertThat(recover(bob)).as("bob sees none of alice's branches").isEmpty();
            assertThat(xaError(() -> commit(bob, mine))).isEqualTo(XAException.XAER_RMERR);
            assertThat(xaError(() -> XaCalls.rollback(bob, mine))).isEqualTo(XAException.XAER_RMERR);
        }
        server.close();
        server = null;
        start();
        try (ZeoTestClient bob = as("bob", "b")) {
            assertThat(xaError(() -> commit(bob, mine))).as("the owner is known after a restart")
                    .isEqualTo(XAException.XAER_RMERR);
        }
        try (ZeoTestClient ops = as("ops", "o")) {
            assertThat(recover(ops)).containsExactlyInAnyOrder(mine, other);
            XaCalls.rollback(ops, other);
        }
        try (ZeoTestClient alice = as("alice", "a")) {
            assertThat(recover(alice)).containsExactly(mine);
            assertThat(commit(alice, mine).oids()).hasSize(1);
        }
    }
}
