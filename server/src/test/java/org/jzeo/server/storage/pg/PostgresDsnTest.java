package org.jzeo.server.storage.pg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class PostgresDsnTest {

    @Test
    void keywordValuePairsBecomeAJdbcUrlAndDriverProperties() {
        PostgresDsn dsn = PostgresDsn.parse("host=db1 port=6543 dbname=zodb user=zope password=secret sslmode=require"
                + " application_name=jzeo connect_timeout=5");

        assertThat(dsn.jdbcUrl()).isEqualTo("jdbc:postgresql://db1:6543/zodb");
        assertThat(dsn.properties()).containsEntry("user", "zope").containsEntry("password", "secret")
                .containsEntry("sslmode", "require").containsEntry("ApplicationName", "jzeo")
                .containsEntry("connectTimeout", "5").hasSize(5);
    }

    @Test
    void quotedValuesMayHoldSpacesQuotesAndBackslashesAndSpacesAroundEqualsAreAllowed() {
        PostgresDsn dsn = PostgresDsn.parse("  dbname = 'my db'  password='it\\'s \\\\ here' ");

        assertThat(dsn.jdbcUrl()).isEqualTo("jdbc:postgresql://localhost:5432/my db");
        assertThat(dsn.properties()).containsEntry("password", "it's \\ here");
    }

    @Test
    void severalHostsGiveTheDriverAListAndTargetSessionAttrsChoosesThePrimary() {
        PostgresDsn dsn = PostgresDsn.parse("host=db1,db2,::1 port=5432,5433,5434 dbname=z"
                + " target_session_attrs=read-write");

        assertThat(dsn.jdbcUrl()).isEqualTo("jdbc:postgresql://db1:5432,db2:5433,[::1]:5434/z");
        assertThat(dsn.properties()).containsEntry("targetServerType", "primary");
    }

    @Test
    void theUriFormIsReadToo() {
        PostgresDsn dsn = PostgresDsn.parse("postgresql://zope:p%40ss@db1:6543,db2/zodb?sslmode=verify-full");

        assertThat(dsn.jdbcUrl()).isEqualTo("jdbc:postgresql://db1:6543,db2:5432/zodb");
        assertThat(dsn.properties()).containsEntry("user", "zope").containsEntry("password", "p@ss")
                .containsEntry("sslmode", "verify-full");
    }

    @Test
    void withoutADatabaseNameTheUsersNameIsTheDatabaseAsInLibpq() {
        assertThat(PostgresDsn.parse("user=zope").jdbcUrl()).isEqualTo("jdbc:postgresql://localhost:5432/zope");
    }

    @Test
    void mistakesAreOneLineErrorsThatNeverShowThePassword() {
        assertThatThrownBy(() -> PostgresDsn.parse("dbname=z password=hunter2 colour=blue"))
                .hasMessageStartingWith("the dsn's 'colour' is not a libpq connection setting")
                .hasMessageNotContaining("hunter2");
        assertThatThrownBy(() -> PostgresDsn.parse("dbname"))
                .hasMessage("the dsn's 'dbname' has no value (write dbname=value)");
        assertThatThrownBy(() -> PostgresDsn.parse("password='open"))
                .hasMessage("the dsn's 'password' has an unterminated quoted value");
        assertThatThrownBy(() -> PostgresDsn.parse("host=/var/run/postgresql dbname=z"))
                .hasMessageContaining("is a Unix socket folder");
        assertThatThrownBy(() -> PostgresDsn.parse("host=a,b,c port=1,2 dbname=z"))
                .hasMessageContaining("3 hosts but 2 ports");
        assertThat(PostgresDsn.parse("dbname=z password=hunter2").toString()).doesNotContain("hunter2");
    }
}
