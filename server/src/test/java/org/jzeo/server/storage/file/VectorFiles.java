package org.jzeo.server.storage.file;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import org.jzeo.server.storage.ReferenceFinder;
import org.jzeo.server.storage.pickle.ReferenceScanner;
import org.jzeo.server.testsupport.Json;

/** The Data.fs vectors written by Python's FileStorage, copied where a test may modify them. */
final class VectorFiles {
    static final ReferenceFinder PICKLE_REFERENCES = ReferenceScanner.finder();

    private VectorFiles() {
    }

    /** Copies vector {@code name} (e.g. "Data.fs") into {@code dir} as Data.fs and returns its path. */
    static Path copy(String name, Path dir) {
        Path target = dir.resolve("Data.fs");
        try (InputStream in = VectorFiles.class.getResourceAsStream("/vectors/filestorage/" + name)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource " + name);
            }
            Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return target;
    }

    static Map<String, Object> description(String name) {
        return Json.object(Json.parseResource("/vectors/filestorage/" + name + ".json"));
    }

    static String sha256(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static FileStorageOptions testOptions() {
        return FileStorageOptions.defaults().withFsync(false);
    }
}
