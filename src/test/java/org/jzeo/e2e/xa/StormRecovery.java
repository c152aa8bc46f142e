package org.jzeo.e2e.xa;

import com.arjuna.ats.arjuna.recovery.RecoveryManager;
import com.arjuna.ats.arjuna.recovery.RecoveryModule;
import com.arjuna.ats.internal.jta.recovery.arjunacore.XARecoveryModule;
import com.arjuna.ats.jta.recovery.XAResourceRecoveryHelper;
import java.util.ArrayList;
import java.util.List;
import javax.sql.XAConnection;
import javax.transaction.xa.XAResource;
import org.h2.jdbcx.JdbcDataSource;
import org.jzeo.api.StorageConnection;
import org.jzeo.client.ClientConnectionFactory;
import org.jzeo.client.StorageXAResource;

/**
 * Narayana's own recovery for the XA kill storm, one manager for every round (DIRECT_MANAGEMENT: a scan runs when
 * asked, nothing in the background): its helper gives the recovery scan jzeo's resource (a connection opened for
 * the recovery) and H2's.
 */
final class StormRecovery implements AutoCloseable {
    /** Enough for a commit from Narayana's log and an orphan's presumed abort (seen in two passes). */
    private static final int MAX_SCANS = 6;

    private final ClientConnectionFactory jzeo;
    private final JdbcDataSource h2;
    private final RecoveryManager manager;
    private final XARecoveryModule xaModule;
    private final XAResourceRecoveryHelper helper;
    private final List<XAConnection> opened = java.util.Collections.synchronizedList(new ArrayList<>());
    private volatile StorageConnection connection;

    StormRecovery(ClientConnectionFactory jzeo, JdbcDataSource h2) {
        this.jzeo = jzeo;
        this.h2 = h2;
        this.manager = RecoveryManager.manager(RecoveryManager.DIRECT_MANAGEMENT);
        this.xaModule = manager.getModules().stream().filter(XARecoveryModule.class::isInstance)
                .map(XARecoveryModule.class::cast).findFirst()
                .orElseThrow(() -> new IllegalStateException("no XARecoveryModule among " + manager.getModules()));
        this.helper = new XAResourceRecoveryHelper() {
            @Override
            public boolean initialise(String p) {
                return true;
            }

            @Override
            public XAResource[] getXAResources() throws Exception {
                List<XAResource> resources = new ArrayList<>();
                StorageConnection c = connection;
                if (c != null) {
                    resources.add(StorageXAResource.of(c));
                }
                XAConnection sql = h2.getXAConnection();
                opened.add(sql);
                resources.add(sql.getXAResource());
                return resources.toArray(new XAResource[0]);
            }
        };
        xaModule.addXAResourceRecoveryHelper(helper);
    }

    /**
     * Scans until neither jzeo nor H2 has a branch prepared; returns how many scans it took.
     *
     * @throws AssertionError if branches are still prepared after {@value #MAX_SCANS} scans
     */
    int recoverUntilDone() throws Exception {
        XaFixtures.until("the recovery's client reconnected", XaFixtures.TIMEOUT, jzeo.storage()::isConnected);
        try (StorageConnection c = jzeo.getConnection()) {
            connection = c;
            XaChild.say("in-doubt", jzeo.storage().recoverPrepared().size() + " " + inDoubtInH2());
            for (int scans = 1; scans <= MAX_SCANS; scans++) {
                manager.scan();
                if (jzeo.storage().recoverPrepared().isEmpty() && inDoubtInH2() == 0) {
                    return scans;
                }
            }
            throw new AssertionError("still prepared after " + MAX_SCANS + " recovery scans: jzeo "
                    + jzeo.storage().recoverPrepared() + ", H2 " + inDoubtInH2());
        } finally {
            connection = null;
            synchronized (opened) {
                opened.forEach(StormRecovery::closeQuietly);
                opened.clear();
            }
        }
    }

    private int inDoubtInH2() throws Exception {
        XAConnection sql = h2.getXAConnection();
        try {
            return sql.getXAResource().recover(XAResource.TMSTARTRSCAN | XAResource.TMENDRSCAN).length;
        } finally {
            closeQuietly(sql);
        }
    }

    private static void closeQuietly(XAConnection sql) {
        try {
            sql.close();
        } catch (Exception e) {
            XaChild.say("h2-close-failed", e.toString());
        }
    }

    @Override
    public void close() {
        xaModule.removeXAResourceRecoveryHelper(helper);
        manager.terminate();
    }
}
