package org.jzeo.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class ServerConfigLoaderTest {
    private static final Path FILE = Path.of("zeo.conf");

    private final List<ConfigWarning> warnings = new ArrayList<>();

    private ServerConfig load(String... lines) {
        ConfigSection top = new ZConfigParser(name -> null).parse(String.join("\n", lines) + "\n", FILE);
        return ServerConfigLoader.bind(top, warnings::add);
    }

    private ServerConfig loadResource(String name) throws URISyntaxException {
        return new ServerConfigLoader().load(Path.of(getClass().getResource(name).toURI()), warnings::add);
    }

    private List<String> warningTexts() {
        return warnings.stream().map(ConfigWarning::toString).toList();
    }

    // ---- realistic files ------------------------------------------------------------------------------------

    @Test
    void aRealisticZeoConfBindsToTheExpectedModel() throws URISyntaxException {
        ServerConfig config = loadResource("/config/zeo.conf");

        ZeoConfig zeo = config.zeo();
        assertThat(zeo.address()).isEqualTo(new ListenAddress.Tcp("zeo.example.com", 8090));
        assertThat(zeo.readOnly()).isFalse();
        assertThat(zeo.invalidationQueueSize()).isEqualTo(500);
        assertThat(zeo.invalidationAge()).contains(Duration.ofHours(1));
        assertThat(zeo.transactionTimeout()).contains(Duration.ofSeconds(30));
        assertThat(zeo.clientConflictResolution()).isTrue();
        assertThat(zeo.pidFile()).contains(Path.of("/srv/zeo/var/ZEO.pid"));
        assertThat(zeo.maxFrameSize()).isEqualTo(16 * 1024 * 1024);
        assertThat(zeo.lockWait()).isEqualTo(Duration.ofMillis(2500));
        assertThat(zeo.groupCommit()).isFalse();
        assertThat(zeo.tls()).contains(new TlsConfig(Path.of("/srv/zeo/etc/server.pem"),
                Optional.of(Path.of("/srv/zeo/etc/server-key.pem")), Optional.of(Path.of("/srv/zeo/etc/clients"))));

        assertThat(config.storages()).containsExactly(
                new FileStorageConfig("1", Path.of("/srv/zeo/var/Data.fs"), false, false, OptionalLong.empty(),
                        true, false, false, FileStorageConfig.DEFAULT_RECORD_CACHE_SIZE, Path.of("/srv/zeo/var/blobs")),
                new FileStorageConfig("catalog", Path.of("/srv/zeo/var/Catalog.fs"), true, false,
                        OptionalLong.of(2L * 1024 * 1024 * 1024), false, true),
                new MappingStorageConfig("scratch", "Scratch space"));

        assertThat(config.eventlog()).isEqualTo(new LogConfig(LogLevel.INFO, List.of(
                new LogFileConfig(LogTarget.file(Path.of("/srv/zeo/log/zeo.log")), "%(asctime)s %(message)s",
                        LogFileConfig.DEFAULT_DATE_FORMAT, LogLevel.NOTSET, 10 * 1024 * 1024, 5),
                new LogFileConfig(LogTarget.stderr(), LogFileConfig.DEFAULT_FORMAT,
                        LogFileConfig.DEFAULT_DATE_FORMAT, LogLevel.WARNING, 0, 0))));

        assertThat(warnings).hasSize(1);
        assertThat(warnings.get(0).message()).startsWith("<runner> is accepted but ignored");
        assertThat(warnings.get(0).location().line()).isEqualTo(60);
    }

    @Test
    void zeoDocumentationExampleUsesAnUnnamedStorageServedAsOne() throws URISyntaxException {
        ServerConfig config = loadResource("/config/zeo-docs-example.conf");

        assertThat(config.zeo()).isEqualTo(ZeoConfig.defaults()
                .withAddress(new ListenAddress.Tcp("zeo.example.com", 8090)));
        assertThat(config.storages()).containsExactly(FileStorageConfig.of("1", Path.of("/var/tmp/Data.fs")));
        assertThat(config.eventlog().logfiles()).extracting(LogFileConfig::target)
                .containsExactly(LogTarget.file(Path.of("/var/tmp/zeo.log")));
        assertThat(warnings).isEmpty();
    }

    @Test
    void includedFilesBindLikeOneFile() throws URISyntaxException {
        ServerConfig config = loadResource("/config/include/main.conf");

        assertThat(config.zeo().address()).isEqualTo(new ListenAddress.Tcp("127.0.0.1", 9100));
        assertThat(config.storages()).extracting(StorageConfig::name).containsExactly("1", "after");
    }

    // ---- defaults ---------------------------------------------------------------------------------------------

    @Test
    void noConfigurationServesVarDataFsAsStorageOneOnLoopback8100() {
        ServerConfig config = ServerConfig.defaults();

        assertThat(config.zeo().address()).isEqualTo(new ListenAddress.Tcp("127.0.0.1", 8100));
        assertThat(config.storages()).containsExactly(FileStorageConfig.builtInDefault("1", Path.of("var/Data.fs")));
        assertThat(((FileStorageConfig) config.storages().get(0)).createFolders())
                .as("the built-in ./var may be created").isTrue();
        assertThat(config.storage("1")).isPresent();
        assertThat(config.eventlog()).isEqualTo(LogConfig.defaults());
    }

    @Test
    void everyZeoOptionHasZeosDefault() {
        ZeoConfig zeo = load("<zeo>", "  address 8100", "</zeo>", "<mappingstorage/>").zeo();

        assertThat(zeo.address()).isEqualTo(new ListenAddress.Tcp("", 8100));
        assertThat(zeo.readOnly()).isFalse();
        assertThat(zeo.invalidationQueueSize()).isEqualTo(100);
        assertThat(zeo.invalidationAge()).isEmpty();
        assertThat(zeo.transactionTimeout()).isEmpty();
        assertThat(zeo.clientConflictResolution()).as("jzeo hands conflicts to the client: it cannot run _p_resolveConflict")
                .isTrue();
        assertThat(zeo.pidFile()).isEmpty();
        assertThat(zeo.tls()).isEmpty();
        assertThat(zeo.maxFrameSize()).isEqualTo(64 * 1024 * 1024);
        assertThat(zeo.lockWait()).isEqualTo(Duration.ofSeconds(10));
        assertThat(zeo.groupCommit()).isTrue();
        assertThat(zeo.blobMaxSize()).as("no blob size limit, as ZEO").isZero();
        assertThat(warnings).isEmpty();
    }

    @Test
    void withoutZeoSectionOrAddressTheServerListensOnLoopbackAndSaysSo() {
        ServerConfig none = load("<mappingstorage/>");
        assertThat(none.zeo()).isEqualTo(ZeoConfig.defaults());

        ServerConfig empty = load("<zeo>", "</zeo>", "<mappingstorage/>");
        assertThat(empty.zeo()).isEqualTo(ZeoConfig.defaults());

        assertThat(warningTexts()).containsExactly(
                "zeo.conf: no <zeo> section: listening on 127.0.0.1:8100 with default settings",
                "zeo.conf:1: <zeo> has no 'address' (ZEO requires one): listening on 127.0.0.1:8100");
    }

    @Test
    void blobMaxSizeTakesASize() {
        ZeoConfig zeo = load("<mappingstorage/>", "<zeo>", "blob-max-size 2GB", "</zeo>").zeo();

        assertThat(zeo.blobMaxSize()).isEqualTo(2L * 1024 * 1024 * 1024);
    }

    @Test
    void fileStorageDefaultsAreZodbs() {
        StorageConfig storage = load("<filestorage>", "  path Data.fs", "</filestorage>").storages().get(0);

        assertThat(storage).isEqualTo(new FileStorageConfig("1", Path.of("Data.fs"), false, false,
                OptionalLong.empty(), true, true));
        assertThat(((FileStorageConfig) storage).createFolders()).as("a configured path's folder must exist")
                .isFalse();
    }

    @Test
    void recordCacheSizeIsJzeosOptionOfTheFileStorageSection() {
        FileStorageConfig defaulted = (FileStorageConfig) load("<filestorage>", "  path Data.fs", "</filestorage>")
                .storages().get(0);
        FileStorageConfig sized = (FileStorageConfig) load("<filestorage>", "  path Data.fs",
                "  record-cache-size 200MB", "</filestorage>").storages().get(0);
        FileStorageConfig off = (FileStorageConfig) load("<filestorage>", "  path Data.fs", "  record-cache-size 0",
                "</filestorage>").storages().get(0);

        assertThat(defaulted.recordCacheSize()).isEqualTo(64L << 20);
        assertThat(sized.recordCacheSize()).isEqualTo(200L << 20);
        assertThat(off.recordCacheSize()).isZero();
    }

    @Test
    void createTrueAlsoAllowsCreatingTheFolder() {
        FileStorageConfig storage = (FileStorageConfig) load("<filestorage>", "  path new/Data.fs", "  create true",
                "</filestorage>").storages().get(0);

        assertThat(storage.create()).isTrue();
        assertThat(storage.createFolders()).isTrue();
    }

    @Test
    void mappingStorageDefaults() {
        assertThat(load("<mappingstorage>", "</mappingstorage>").storages())
                .containsExactly(new MappingStorageConfig("1", "Mapping Storage"));
    }

    @Test
    void eventlogAndLogfileDefaultsAreZConfigs() {
        LogConfig log = load("<mappingstorage/>", "<eventlog>", "  <logfile>", "    path STDOUT", "  </logfile>",
                "</eventlog>").eventlog();

        assertThat(log).isEqualTo(new LogConfig(LogLevel.INFO, List.of(LogFileConfig.to(LogTarget.stdout()))));
        assertThat(log.logfiles().get(0).format())
                .isEqualTo("------\n%(asctime)s %(levelname)s %(name)s %(message)s");
    }

    @Test
    void formatEscapesAreReplaced() {
        LogConfig log = load("<mappingstorage/>", "<eventlog>", "<logfile>", "path STDERR",
                "format %(levelname)s\\t%(message)s\\n\\q\\\\", "</logfile>", "</eventlog>").eventlog();

        assertThat(log.logfiles().get(0).format()).isEqualTo("%(levelname)s\t%(message)s\n\\q\\");
    }

    // ---- naming of storages -----------------------------------------------------------------------------------

    @Test
    void storageNamesComeFromSectionNamesLowerCased() {
        ServerConfig config = load("<filestorage Main>", "path a.fs", "</filestorage>", "<mappingstorage 2/>",
                "<filestorage>", "path b.fs", "</filestorage>");

        assertThat(config.storages()).extracting(StorageConfig::name).containsExactly("main", "2", "1");
    }

    @Test
    void duplicateStorageNamesAreRefusedNamingBothLines() {
        assertThatThrownBy(() -> load("<filestorage 1>", "path a.fs", "</filestorage>", "", "<mappingstorage 1>",
                "</mappingstorage>"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("zeo.conf:5: duplicate storage name '1': <mappingstorage 1> here and <filestorage 1>"
                        + " at zeo.conf:1");
    }

    @Test
    void anUnnamedStorageIsOneSoItClashesWithAStorageNamedOne() {
        assertThatThrownBy(() -> load("<filestorage 1>", "path a.fs", "</filestorage>", "<mappingstorage/>"))
                .hasMessage("zeo.conf:4: duplicate storage name '1': <mappingstorage> here and <filestorage 1> at"
                        + " zeo.conf:1 (a storage section without a name is named '1')");
    }

    @Test
    void onlyOneStorageMayBeUnnamed() {
        assertThatThrownBy(() -> load("<mappingstorage/>", "<mappingstorage/>"))
                .hasMessage("zeo.conf:2: only one storage section may be unnamed (<mappingstorage> at zeo.conf:1 is"
                        + " too); name them, e.g. <mappingstorage 2>");
    }

    @Test
    void noStorageAtAllIsAnError() {
        assertThatThrownBy(() -> load("<zeo>", "address 8100", "</zeo>"))
                .hasMessageStartingWith("zeo.conf: no storage is configured");
    }

    // ---- errors name file and line ----------------------------------------------------------------------------

    @Test
    void unknownKeyNamesTheLineAndSuggestsTheKnownOne() {
        assertThatThrownBy(() -> load("<mappingstorage/>", "<zeo>", "  adress 127.0.0.1:8100", "</zeo>"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("zeo.conf:3: unknown key 'adress' in <zeo> (did you mean 'address'?)");
    }

    @Test
    void unknownKeyFarFromAnyKnownOneListsTheKnownKeys() {
        assertThatThrownBy(() -> load("<mappingstorage>", "  colour blue", "</mappingstorage>"))
                .hasMessage("zeo.conf:2: unknown key 'colour' in <mappingstorage> (known keys: name)");
    }

    @Test
    void keysOutsideSectionsAreRefused() {
        assertThatThrownBy(() -> load("address 8100", "<mappingstorage/>"))
                .hasMessage("zeo.conf:1: key 'address' is outside any section: keys belong inside a section such"
                        + " as <zeo> or <filestorage 1>");
    }

    @Test
    void unknownSectionNamesTheLine() {
        assertThatThrownBy(() -> load("<mappingstorage/>", "<filestorge 1>", "path x", "</filestorge>"))
                .hasMessage("zeo.conf:2: unknown section <filestorge 1> (did you mean 'filestorage'?)");
        assertThatThrownBy(() -> load("<mappingstorage/>", "<database>", "</database>"))
                .hasMessage("zeo.conf:2: unknown section <database> (known sections: zeo, filestorage,"
                        + " mappingstorage, relstorage, eventlog, runner)");
    }

    @Test
    void unexpectedNestedSection() {
        assertThatThrownBy(() -> load("<filestorage>", "path x", "<zeo>", "</zeo>", "</filestorage>"))
                .hasMessage("zeo.conf:3: unexpected section <zeo> in <filestorage> (no sections are allowed inside"
                        + " it)");
        assertThatThrownBy(() -> load("<mappingstorage/>", "<zeo>", "<tls>", "</tls>", "</zeo>"))
                .hasMessage("zeo.conf:3: unexpected section <tls> in <zeo> (known sections: access, ssl)");
    }

    @Test
    void missingPathNamesTheSection() {
        assertThatThrownBy(() -> load("", "<filestorage 1>", "  read-only true", "</filestorage>"))
                .hasMessage("zeo.conf:2: <filestorage 1> needs 'path'");
    }

    @Test
    void badValuesNameTheLineKeyAndExpectedForm() {
        assertThatThrownBy(() -> load("<filestorage>", "path x", "quota 10 XB", "</filestorage>"))
                .hasMessage("zeo.conf:3: bad value for 'quota' in <filestorage>: '10 XB' is not a byte size (a"
                        + " whole number with an optional KB, MB or GB suffix, e.g. 20MB)");
        assertThatThrownBy(() -> load("<mappingstorage/>", "<zeo>", "transaction-timeout soon", "</zeo>"))
                .hasMessage("zeo.conf:3: bad value for 'transaction-timeout' in <zeo>: 'soon' is not a time"
                        + " interval (a number with an optional unit ms, s, m, h or d, e.g. 10s)");
        assertThatThrownBy(() -> load("<mappingstorage/>", "<zeo>", "address localhost:80800", "</zeo>"))
                .hasMessage("zeo.conf:3: bad value for 'address' in <zeo>: 'localhost:80800' does not end in a"
                        + " valid port (0-65535): '80800'");
        assertThatThrownBy(() -> load("<mappingstorage/>", "<zeo>", "read-only maybe", "</zeo>"))
                .hasMessage("zeo.conf:3: bad value for 'read-only' in <zeo>: 'maybe' is not a boolean (use on/off,"
                        + " yes/no or true/false)");
        assertThatThrownBy(() -> load("<mappingstorage/>", "<zeo>", "invalidation-queue-size -1", "</zeo>"))
                .hasMessageStartingWith("zeo.conf:3: bad value for 'invalidation-queue-size' in <zeo>: '-1'");
        assertThatThrownBy(() -> load("<mappingstorage/>", "<zeo>", "transaction-timeout 0", "</zeo>"))
                .hasMessage("zeo.conf:3: bad value for 'transaction-timeout' in <zeo>: '0' must be more than 0"
                        + " (leave the key out for none)");
        assertThatThrownBy(() -> load("<mappingstorage/>", "<zeo>", "max-frame-size 1KB", "</zeo>"))
                .hasMessage("zeo.conf:3: bad value for 'max-frame-size' in <zeo>: '1KB' is outside 64KB to 2GB-1");
        assertThatThrownBy(() -> load("<mappingstorage/>", "<zeo>", "blob-max-size -5", "</zeo>"))
                .hasMessageStartingWith("zeo.conf:3: bad value for 'blob-max-size' in <zeo>: '-5'");
        assertThatThrownBy(() -> load("<mappingstorage/>", "<eventlog>", "level loud", "</eventlog>"))
                .hasMessageStartingWith("zeo.conf:3: bad value for 'level' in <eventlog>: 'loud' is not a log level");
    }

    @Test
    void aKeyGivenTwiceIsRefused() {
        assertThatThrownBy(() -> load("<mappingstorage/>", "<zeo>", "address 8100", "Address 8200", "</zeo>"))
                .hasMessage("zeo.conf:4: 'address' is given twice in <zeo> (first at zeo.conf:3); give it once");
    }

    @Test
    void aSecondZeoOrEventlogSectionIsRefused() {
        assertThatThrownBy(() -> load("<mappingstorage/>", "<zeo>", "</zeo>", "<zeo>", "</zeo>"))
                .hasMessage("zeo.conf:4: a second <zeo> in the top level (the first is at zeo.conf:2); only one is"
                        + " allowed");
    }

    @Test
    void unclosedSectionIsReportedThroughTheLoader() {
        assertThatThrownBy(() -> load("<zeo>", "address 8100", "<mappingstorage/>"))
                .hasMessage("zeo.conf:1: <zeo> is not closed: the file ends (line 3) without </zeo>");
    }

    // ---- ZEO options jzeo accepts without acting on, or refuses ------------------------------------------------

    @Test
    void msgpackOffIsAcceptedWithAWarning() {
        ZeoConfig zeo = load("<mappingstorage/>", "<zeo>", "address 8100", "msgpack off", "</zeo>").zeo();

        assertThat(zeo.address()).isEqualTo(new ListenAddress.Tcp("", 8100));
        assertThat(warningTexts()).containsExactly(
                "zeo.conf:4: 'msgpack off' in <zeo> is ignored: jzeo always speaks ZEO's msgpack protocol (M5), so"
                        + " Python clients need the msgpack package");
    }

    @Test
    void zeo4MonitorAddressAndJzeoMetricsAddressAreServed() {
        ZeoConfig zeo = load("<mappingstorage/>", "<zeo>", "address 8100", "monitor-address 8101",
                "metrics-address 127.0.0.1:9100", "</zeo>").zeo();

        assertThat(zeo.monitorAddress()).contains(new ListenAddress.Tcp("", 8101));
        assertThat(zeo.metricsAddress()).contains(new ListenAddress.Tcp("127.0.0.1", 9100));
        assertThat(warnings).isEmpty();
        assertThat(ZeoConfig.defaults().monitorAddress()).isEmpty();
        assertThat(ZeoConfig.defaults().metricsAddress()).isEmpty();
    }

    @Test
    void metricsAddressMustBeTcp() {
        assertThatThrownBy(() -> load("<mappingstorage/>", "<zeo>", "metrics-address /tmp/metrics.sock", "</zeo>"))
                .hasMessageContaining("the metrics endpoint is HTTP and needs host:port");
    }

    @Test
    void msgpackOnIsSilent() {
        load("<mappingstorage/>", "<zeo>", "msgpack yes", "address 8100", "</zeo>");

        assertThat(warnings).isEmpty();
    }

    @Test
    void zeo4DigestAuthenticationIsRefusedWithWhatToUseInstead() {
        assertThatThrownBy(() -> load("<mappingstorage/>", "<zeo>", "address 8100", "authentication-protocol digest",
                "authentication-database auth.db", "</zeo>"))
                .hasMessageStartingWith("zeo.conf:4: authentication-protocol 'digest' (ZEO 4's) is not supported")
                .hasMessageContaining("authentication-protocol scram-sha-256");
    }

    @Test
    void authenticationKeysAndTheAccessSectionAreRead() {
        ZeoConfig zeo = load("<mappingstorage/>", "<zeo>", "address 8100", "authentication-protocol SCRAM-SHA-256",
                "authentication-database /etc/jzeo/users", "authentication-realm example",
                "authentication-timeout 5s", "<access>", "default none", "user alice admin",
                "user bob read-only 1 2", "certificate reader subject CN=reader, O=Example",
                "certificate ops san DNS:ops.example.com", "</access>", "</zeo>").zeo();
        org.jzeo.server.config.AuthConfig auth = zeo.authentication().orElseThrow();
        assertThat(auth.database()).isEqualTo(Path.of("/etc/jzeo/users"));
        assertThat(auth.realm()).contains("example");
        assertThat(auth.timeout()).isEqualTo(java.time.Duration.ofSeconds(5));
        org.jzeo.server.auth.AccessRules rules = auth.access();
        assertThat(rules.rightOf("alice", "1")).isEqualTo(org.jzeo.server.auth.Right.ADMIN);
        assertThat(rules.rightOf("bob", "2")).isEqualTo(org.jzeo.server.auth.Right.READ_ONLY);
        assertThat(rules.rightOf("bob", "3")).isEqualTo(org.jzeo.server.auth.Right.NONE);
        assertThat(rules.rightOf("carol", "1")).isEqualTo(org.jzeo.server.auth.Right.NONE);
        assertThat(rules.certificates()).extracting(c -> c.user() + " " + c.match() + " " + c.value())
                .containsExactly("reader SUBJECT CN=reader, O=Example", "ops SAN DNS:ops.example.com");
    }

    @Test
    void withoutTheAccessSectionEverySignedOnUserReadsAndWrites() {
        ZeoConfig zeo = load("<mappingstorage/>", "<zeo>", "authentication-protocol scram-sha-256",
                "authentication-database users", "</zeo>").zeo();
        assertThat(zeo.authentication().orElseThrow().access().rightOf("anyone", "1"))
                .isEqualTo(org.jzeo.server.auth.Right.READ_WRITE);
        assertThat(zeo.authentication().orElseThrow().timeout()).isEqualTo(java.time.Duration.ofSeconds(30));
        assertThat(load("<mappingstorage/>", "<zeo>", "</zeo>").zeo().authentication()).isEmpty();
    }

    @Test
    void authenticationMistakesAreNamedWithTheirLine() {
        assertThatThrownBy(() -> load("<mappingstorage/>", "<zeo>", "authentication-protocol scram-sha-256",
                "</zeo>")).hasMessageContaining("needs 'authentication-database'");
        assertThatThrownBy(() -> load("<mappingstorage/>", "<zeo>", "authentication-database users", "</zeo>"))
                .hasMessageContaining("'authentication-database' in <zeo> needs 'authentication-protocol");
        assertThatThrownBy(() -> load("<mappingstorage/>", "<zeo>", "<access>", "user a admin", "</access>",
                "</zeo>")).hasMessageContaining("<access> needs 'authentication-protocol");
        assertThatThrownBy(() -> load("<mappingstorage/>", "<zeo>", "authentication-protocol scram-sha-256",
                "authentication-database users", "<access>", "user alice write", "</access>", "</zeo>"))
                .hasMessageStartingWith("zeo.conf:6: bad value for 'user'")
                .hasMessageContaining("none, read-only, read-write, admin");
        assertThatThrownBy(() -> load("<mappingstorage/>", "<zeo>", "authentication-protocol scram-sha-256",
                "authentication-database users", "<access>", "certificate x san ops.example.com", "</access>",
                "</zeo>")).hasMessageContaining("TYPE:VALUE");
        assertThatThrownBy(() -> load("<mappingstorage/>", "<zeo>", "authentication-protocol kerberos",
                "authentication-database users", "</zeo>")).hasMessageContaining("jzeo offers scram-sha-256");
    }

    @Test
    void blobDirIsReadAsAPathRelativeToTheWorkingDirectoryLikePath() {
        FileStorageConfig f = (FileStorageConfig) load("<filestorage 1>", "path var/Data.fs", "blob-dir var/blobs",
                "</filestorage>").storages().get(0);

        assertThat(f.blobDir()).isEqualTo(Path.of("var/blobs"));
        assertThat(f.path()).isEqualTo(Path.of("var/Data.fs"));
    }

    @Test
    void anEmptyOrMissingBlobDirMeansNoBlobs() {
        assertThat(((FileStorageConfig) load("<filestorage 1>", "path Data.fs", "blob-dir", "</filestorage>")
                .storages().get(0)).blobDir()).isNull();
        assertThat(((FileStorageConfig) load("<filestorage 1>", "path Data.fs", "</filestorage>")
                .storages().get(0)).blobDir()).isNull();
    }

    @Test
    void aBlobStorageAroundAFileStorageIsThatFileStorageWithItsBlobDirUnderTheOuterName() {
        // As ZEO's own tests write it.
        FileStorageConfig f = (FileStorageConfig) load("<blobstorage 1>", "blob-dir blobs", "<filestorage 2>",
                "path Data.fs", "</filestorage>", "</blobstorage>").storages().get(0);

        assertThat(f.name()).isEqualTo("1");
        assertThat(f.path()).isEqualTo(Path.of("Data.fs"));
        assertThat(f.blobDir()).isEqualTo(Path.of("blobs"));
    }

    @Test
    void aBlobStorageAroundAnythingButOneFileStorageIsRefused() {
        assertThatThrownBy(() -> load("<blobstorage>", "blob-dir blobs", "<mappingstorage/>", "</blobstorage>"))
                .hasMessage("zeo.conf:3: <mappingstorage> in <blobstorage>: jzeo keeps blobs only beside a"
                        + " <filestorage>");
        assertThatThrownBy(() -> load("<blobstorage>", "blob-dir blobs", "</blobstorage>"))
                .hasMessageContaining("needs exactly one storage section");
        assertThatThrownBy(() -> load("<blobstorage>", "blob-dir b1", "<filestorage>", "path Data.fs",
                "blob-dir b2", "</filestorage>", "</blobstorage>"))
                .hasMessageContaining("has a blob-dir of its own");
        assertThatThrownBy(() -> load("<blobstorage>", "<filestorage>", "path Data.fs", "</filestorage>",
                "</blobstorage>")).hasMessageContaining("blob-dir");
    }

    @Test
    void unsupportedStorageTypesAreRefusedByName() {
        assertThatThrownBy(() -> load("<zeoclient>", "server 8100", "</zeoclient>"))
                .hasMessageStartingWith("zeo.conf:1: storage type <zeoclient>: jzeo cannot serve");
    }

    @Test
    void packerIsAcceptedWithAWarning() {
        load("<filestorage>", "path Data.fs", "packer zc.FileStorage.packer", "</filestorage>");

        assertThat(warningTexts()).contains("zeo.conf:3: 'packer' in <filestorage> is accepted but ignored:"
                + " it names a Python pack implementation; jzeo packs with its own");
    }

    // ---- <ssl> ------------------------------------------------------------------------------------------------

    @Test
    void sslWithSignedMeansTheDefaultTrustStore() {
        ZeoConfig zeo = load("<mappingstorage/>", "<zeo>", "address 8100", "<ssl>", "certificate server.pem",
                "authenticate SIGNED", "</ssl>", "</zeo>").zeo();

        assertThat(zeo.tls()).contains(new TlsConfig(Path.of("server.pem"), Optional.empty(), Optional.empty()));
        assertThat(load("<mappingstorage/>", "<zeo>", "<ssl>", "certificate c.pem", "authenticate -", "</ssl>",
                "</zeo>").zeo().tls().orElseThrow().clientCertificateAuthorities()).isEmpty();
    }

    @Test
    void sslRequiresCertificateAndAuthenticate() {
        assertThatThrownBy(() -> load("<mappingstorage/>", "<zeo>", "<ssl>", "certificate c.pem", "</ssl>",
                "</zeo>"))
                .hasMessage("zeo.conf:3: <ssl> needs 'authenticate'");
        assertThatThrownBy(() -> load("<mappingstorage/>", "<zeo>", "<ssl>", "authenticate ca.pem", "</ssl>",
                "</zeo>"))
                .hasMessage("zeo.conf:3: <ssl> needs 'certificate'");
    }

    @Test
    void sslPasswordFunctionAndClientOnlyKeysAreRefused() {
        assertThatThrownBy(() -> load("<mappingstorage/>", "<zeo>", "<ssl>", "certificate c.pem",
                "authenticate ca.pem", "password-function my.module.password", "</ssl>", "</zeo>"))
                .hasMessageStartingWith("zeo.conf:6: 'password-function' in <ssl> is not supported: it names a"
                        + " Python function");
        assertThatThrownBy(() -> load("<mappingstorage/>", "<zeo>", "<ssl>", "certificate c.pem",
                "authenticate ca.pem", "check-hostname true", "</ssl>", "</zeo>"))
                .hasMessageStartingWith("zeo.conf:6: unknown key 'check-hostname' in <ssl>");
    }

    // ---- <eventlog> -------------------------------------------------------------------------------------------

    @Test
    void pythonOnlyLogfileKeysAreAcceptedWithAWarning() {
        LogConfig log = load("<mappingstorage/>", "<eventlog>", "<logfile>", "path zeo.log", "encoding utf-8",
                "when midnight", "</logfile>", "</eventlog>").eventlog();

        assertThat(log.logfiles()).containsExactly(LogFileConfig.to(LogTarget.file(Path.of("zeo.log"))));
        assertThat(warnings).extracting(w -> w.location().line()).containsExactly(0, 6, 5);
        assertThat(warnings.get(1).message()).isEqualTo("'when' in <logfile> is accepted but ignored: time-based"
                + " rotation is not supported; use max-size and old-files");
    }

    @Test
    void otherLogHandlersAreRefused() {
        assertThatThrownBy(() -> load("<mappingstorage/>", "<eventlog>", "<syslog>", "</syslog>", "</eventlog>"))
                .hasMessage("zeo.conf:3: log handler <syslog> is not supported by jzeo; use <logfile> (path STDOUT,"
                        + " STDERR or a file)");
    }

    @Test
    void rotationNeedsAFileAndOldFiles() {
        assertThatThrownBy(() -> load("<mappingstorage/>", "<eventlog>", "<logfile>", "path STDOUT",
                "max-size 1MB", "old-files 2", "</logfile>", "</eventlog>"))
                .hasMessage("zeo.conf:5: 'max-size' in <logfile> needs a file: STDOUT cannot be rotated");
        assertThatThrownBy(() -> load("<mappingstorage/>", "<eventlog>", "<logfile>", "path zeo.log",
                "max-size 1MB", "</logfile>", "</eventlog>"))
                .hasMessageStartingWith("zeo.conf:5: 'max-size' in <logfile> rotates the file, so 'old-files' must");
        assertThatThrownBy(() -> load("<mappingstorage/>", "<eventlog>", "<logfile>", "</logfile>", "</eventlog>"))
                .hasMessage("zeo.conf:3: <logfile> needs 'path'");
    }
}
