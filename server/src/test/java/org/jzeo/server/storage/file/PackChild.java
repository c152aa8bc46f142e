package org.jzeo.server.storage.file;

import java.nio.file.Path;
import org.jzeo.api.Tid;
import org.jzeo.server.storage.pickle.ReferenceScanner;

/** Child process of {@link PackCrashTest}: opens a Data.fs, says so, and packs it at its last transaction. */
public final class PackChild {
    private PackChild() {
    }

    public static void main(String[] args) {
        try (FileStorage storage = FileStorage.open(Path.of(args[0]), FileStorageOptions.defaults(),
                ReferenceScanner.finder())) {
            Tid last = storage.lastTransaction();
            System.out.println("PACKING");
            System.out.flush();
            storage.pack(last, true);
            System.out.println("PACKED");
            System.out.flush();
        }
    }
}
