package org.jzeo.bench.xa;

import com.arjuna.ats.arjuna.common.ObjectStoreEnvironmentBean;
import com.arjuna.ats.arjuna.common.arjPropertyManager;
import com.arjuna.ats.internal.arjuna.objectstore.ShadowNoFileLockStore;
import com.arjuna.ats.internal.arjuna.objectstore.hornetq.HornetqJournalEnvironmentBean;
import com.arjuna.ats.internal.arjuna.objectstore.hornetq.HornetqObjectStoreAdaptor;
import com.arjuna.common.internal.util.propertyservice.BeanPopulator;
import java.nio.file.Path;

/**
 * Where Narayana keeps its transaction log in the tool: its default shadowing file store (a file created, synced
 * and deleted per transaction) or its Artemis journal store (WildFly's {@code use-journal-store}: records appended
 * to preallocated files, the appends of concurrent transactions made durable by one fdatasync). Set through
 * Narayana's environment-bean system properties, so {@link #configure} must run before the transaction manager is
 * first used.
 */
final class NarayanaStore {
    /** The object store kinds the tool offers. */
    enum Kind { SHADOW, JOURNAL }

    private NarayanaStore() {
    }

    static void configure(Kind kind, Path dir, boolean sync, boolean asyncIo) {
        System.setProperty("ObjectStoreEnvironmentBean.objectStoreDir", dir.toString());
        System.setProperty("com.arjuna.ats.arjuna.objectstore.objectStoreDir", dir.toString());
        System.setProperty("CoreEnvironmentBean.nodeIdentifier", "xbench");
        if (!sync) {
            System.setProperty("ObjectStoreEnvironmentBean.objectStoreSync", "false");
            System.setProperty("ObjectStoreEnvironmentBean.transactionSync", "false");
        }
        if (kind == Kind.JOURNAL) {
            System.setProperty("ObjectStoreEnvironmentBean.objectStoreType", HornetqObjectStoreAdaptor.class.getName());
            // The named stores fall back to the default store's type; the recovery manager's communication store
            // and the state store are written once per JVM and would open a second journal in the working
            // directory of the JVM, so they stay shadowing stores.
            for (String named : new String[] {"communicationStore", "stateStore"}) {
                System.setProperty("ObjectStoreEnvironmentBean." + named + ".objectStoreType",
                        ShadowNoFileLockStore.class.getName());
            }
            System.setProperty("HornetqJournalEnvironmentBean.storeDir", dir.resolve("journal").toString());
            System.setProperty("HornetqJournalEnvironmentBean.syncWrites", Boolean.toString(sync));
            System.setProperty("HornetqJournalEnvironmentBean.syncDeletes", Boolean.toString(sync));
            System.setProperty("HornetqJournalEnvironmentBean.asyncIO", Boolean.toString(asyncIo));
        }
    }

    /** The store Narayana actually uses, once configured. */
    static String describe() {
        ObjectStoreEnvironmentBean env = arjPropertyManager.getObjectStoreEnvironmentBean();
        String text = "object store " + env.getObjectStoreType() + " in " + env.getObjectStoreDir()
                + ", objectStoreSync " + env.isObjectStoreSync() + ", transactionSync " + env.isTransactionSync();
        if (HornetqObjectStoreAdaptor.class.getName().equals(env.getObjectStoreType())) {
            HornetqJournalEnvironmentBean journal = BeanPopulator.getDefaultInstance(HornetqJournalEnvironmentBean.class);
            text += ", journal in " + journal.getStoreDir() + " (syncWrites " + journal.isSyncWrites()
                    + ", syncDeletes " + journal.isSyncDeletes() + ", " + (journal.isAsyncIO() ? "AIO" : "NIO") + ")";
        }
        return text;
    }
}
