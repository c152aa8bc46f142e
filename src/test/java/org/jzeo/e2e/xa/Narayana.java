package org.jzeo.e2e.xa;

import jakarta.transaction.TransactionManager;
import java.nio.file.Path;

/**
 * Narayana as a standalone transaction manager for tests, its object store under {@code target/} (not the
 * default {@code ${user.dir}/ObjectStore}).
 */
final class Narayana {
    private Narayana() {
    }

    static synchronized TransactionManager transactionManager() {
        String store = Path.of("target", "narayana-object-store").toAbsolutePath().toString();
        System.setProperty("ObjectStoreEnvironmentBean.objectStoreDir", store);
        System.setProperty("com.arjuna.ats.arjuna.objectstore.objectStoreDir", store);
        return com.arjuna.ats.jta.TransactionManager.transactionManager();
    }
}
