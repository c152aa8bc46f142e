package org.jzeo.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.jzeo.server.config.FileStorageConfig;
import org.jzeo.server.config.ListenAddress;
import org.jzeo.server.config.ServerConfig;
import org.jzeo.server.config.ServerConfigLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which servers may create the folder of their Data.fs: one configured with {@code create true}, and the built-in
 * default ({@code ./var/Data.fs}); the refusal of every other missing folder is in
 * {@code ServeFailuresTest}.
 */
class DataFolderTest {
    @TempDir
    Path dir;

    @Test
    void createTrueStartsInAMissingFolderAndCreatesIt() throws Exception {
        Path data = dir.resolve("new").resolve("var").resolve("Data.fs");
        Path conf = Files.writeString(dir.resolve("zeo.conf"), String.join("\n", "<zeo>", "  address 127.0.0.1:0",
                "</zeo>", "<filestorage>", "  path " + data, "  create true", "</filestorage>", ""));

        try (RunningServer server = RunningServer.start(new ServerConfigLoader().load(conf))) {
            assertThat(server.storages().status()).containsOnlyKeys("1");
            assertThat(data).isRegularFile();
        }
    }

    @Test
    void aBlobDirIsServedAndCreateTrueEmptiesItAsZodbDoes() throws Exception {
        Path data = dir.resolve("var").resolve("Data.fs");
        Path blobs = dir.resolve("var").resolve("blobs");
        Path stale = Files.createDirectories(blobs.resolve("0x01")).resolve("0x03.blob");
        Files.writeString(stale, "from the discarded data");
        Path conf = Files.writeString(dir.resolve("zeo.conf"), String.join("\n", "<zeo>", "  address 127.0.0.1:0",
                "</zeo>", "<filestorage>", "  path " + data, "  blob-dir " + blobs, "  create true",
                "</filestorage>", ""));

        try (RunningServer server = RunningServer.start(new ServerConfigLoader().load(conf))) {
            assertThat(server.storages().storage("1").storage().supportsBlobs()).isTrue();
            assertThat(server.storages().storage("1").storage().blobTemporaryDirectory())
                    .isEqualTo(blobs.resolve("tmp"));
            assertThat(stale).doesNotExist();
            assertThat(Files.readString(blobs.resolve(".layout"))).isEqualTo("bushy");
        }
    }

    @Test
    void theBuiltInDefaultCreatesItsMissingVarFolder() throws Exception {
        Path data = dir.resolve("var").resolve("Data.fs");
        ServerConfig config = ServerConfig.defaults()
                .withZeo(ServerConfig.defaults().zeo().withAddress(new ListenAddress.Tcp("127.0.0.1", 0)))
                .withStorages(List.of(FileStorageConfig.builtInDefault("1", data)));

        try (RunningServer server = RunningServer.start(config)) {
            assertThat(data).isRegularFile();
        }
    }
}
