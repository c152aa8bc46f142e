package org.jzeo.example.bank;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.Resource;
import jakarta.ejb.Singleton;
import jakarta.ejb.Startup;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * Creates the journal table when the application starts, outside any transaction: DDL commits implicitly in most
 * databases, which an XA branch does not allow.
 */
@Singleton
@Startup
@TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
public class JournalSchema {
    private static final Logger LOG = Logger.getLogger(JournalSchema.class.getName());

    @Resource(name = Bank.JOURNAL)
    private DataSource journal;

    @PostConstruct
    void createTable() {
        try (Connection connection = journal.getConnection()) {
            Journal.createTable(connection);
            LOG.info("jzeo bank: journal table ready");
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create the journal table: " + e.getMessage(), e);
        }
    }
}
