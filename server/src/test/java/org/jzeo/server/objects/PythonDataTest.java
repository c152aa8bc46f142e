package org.jzeo.server.objects;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.jzeo.api.Oid;
import org.jzeo.client.EmbeddedConnectionFactory;
import org.jzeo.objects.ObjectConnection;
import org.jzeo.objects.ObjectDatabase;
import org.jzeo.objects.ObjectTypes;
import org.jzeo.objects.python.PythonObject;
import org.jzeo.objects.python.PythonReference;
import org.jzeo.server.storage.file.FileStorage;
import org.jzeo.server.storage.file.FileStorageOptions;
import org.jzeo.server.storage.pickle.ReferenceScanner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Data.fs written by Python ZODB (the recorded vector) read through the object layer: its records come back as
 * read-only PythonObject values whose persistent references load through the same connection.
 */
class PythonDataTest {
    @TempDir
    Path dir;

    private EmbeddedConnectionFactory pythonDatabase() throws Exception {
        Path data = dir.resolve("Data.fs");
        try (InputStream in = getClass().getResourceAsStream("/vectors/filestorage/Data.fs")) {
            Files.copy(in, data);
        }
        return new EmbeddedConnectionFactory(FileStorage.open(data, FileStorageOptions.defaults(),
                ReferenceScanner.finder()), true);
    }

    @Test
    void theRootOfAPythonDatabaseIsAPersistentMappingWhoseReferencesResolveLazily() throws Exception {
        try (EmbeddedConnectionFactory factory = pythonDatabase()) {
            ObjectDatabase db = ObjectDatabase.over(factory, ObjectTypes.of());
            try (ObjectConnection conn = db.open()) {
                PythonObject root = conn.get(Oid.ROOT, PythonObject.class);
                assertThat(root.className()).isEqualTo("persistent.mapping.PersistentMapping");
                assertThat(root.oid()).isEqualTo(Oid.ROOT);
                Map<Object, Object> entries = (Map<Object, Object>) root.stateAsMap().get("data");
                assertThat(entries).isNotEmpty();
                PythonReference reference = entries.values().stream()
                        .filter(PythonReference.class::isInstance).map(PythonReference.class::cast)
                        .findFirst().orElseThrow();

                Object target = reference.resolve();

                assertThat(target).isInstanceOf(PythonObject.class);
                assertThat(((PythonObject) target).oid()).isEqualTo(reference.oid());
                assertThat(((PythonObject) target).module()).isEqualTo(reference.module());
            }
        }
    }

    @Test
    void aPythonRecordIsNotAPersistentJavaObject() throws Exception {
        try (EmbeddedConnectionFactory factory = pythonDatabase()) {
            ObjectDatabase db = ObjectDatabase.over(factory, ObjectTypes.of());
            try (ObjectConnection conn = db.open()) {
                assertThatThrownBy(conn::root).isInstanceOf(ClassCastException.class)
                        .hasMessageContaining("persistent.mapping.PersistentMapping").hasMessageContaining("read-only");
            }
        }
    }
}
