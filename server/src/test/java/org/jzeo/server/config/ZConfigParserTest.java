package org.jzeo.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ZConfigParserTest {
    private static final Path FILE = Path.of("zeo.conf");

    @TempDir
    Path dir;

    private final ZConfigParser parser = new ZConfigParser(Map.of("HOME_DIR", "/home/zope")::get);

    private ConfigSection parse(String... lines) {
        return parser.parse(String.join("\n", lines) + "\n", FILE);
    }

    @Test
    void keysValuesAndSectionsKeepFileOrderAndLineNumbers() {
        ConfigSection top = parse(
                "# a comment",
                "",
                "<zeo>",
                "  address 127.0.0.1:8100",
                "  # another comment",
                "  Read-Only  TRUE  ",
                "</zeo>",
                "<filestorage 1>",
                "  path var/Data.fs",
                "</filestorage>");

        assertThat(top.isTopLevel()).isTrue();
        assertThat(top.children()).extracting(ConfigSection::label).containsExactly("<zeo>", "<filestorage 1>");
        ConfigSection zeo = top.children().get(0);
        assertThat(zeo.location()).hasToString("zeo.conf:3");
        assertThat(zeo.name()).isEmpty();
        assertThat(zeo.entries()).containsExactly(
                new ConfigEntry("address", "127.0.0.1:8100", new SourceLocation("zeo.conf", 4)),
                new ConfigEntry("read-only", "TRUE", new SourceLocation("zeo.conf", 6)));
        assertThat(top.children().get(1).name()).contains("1");
        assertThat(top.children().get(1).values("path")).containsExactly("var/Data.fs");
    }

    @Test
    void typesNamesAndKeysAreCaseInsensitiveButValuesKeepTheirCase() {
        ConfigSection top = parse("<FileStorage Main>", "  PATH /Data/Main.FS", "</FILESTORAGE>");

        ConfigSection storage = top.children().get(0);
        assertThat(storage.type()).isEqualTo("filestorage");
        assertThat(storage.name()).contains("main");
        assertThat(storage.values("path")).containsExactly("/Data/Main.FS");
    }

    @Test
    void nestedAndEmptySections() {
        ConfigSection top = parse(
                "<eventlog>",
                "  <logfile>",
                "    path STDOUT",
                "  </logfile>",
                "</eventlog>",
                "<mappingstorage scratch/>",
                "<mappingstorage />");

        assertThat(top.children()).extracting(ConfigSection::label)
                .containsExactly("<eventlog>", "<mappingstorage scratch>", "<mappingstorage>");
        assertThat(top.children().get(0).children()).extracting(ConfigSection::label).containsExactly("<logfile>");
        assertThat(top.children().get(1).entries()).isEmpty();
    }

    @Test
    void aValueMayBeEmptyAndMayContainHashAndSpaces() {
        ConfigSection top = parse("<x>", "  empty", "  format %(asctime)s  # not a comment", "</x>");

        ConfigSection x = top.children().get(0);
        assertThat(x.values("empty")).containsExactly("");
        assertThat(x.values("format")).containsExactly("%(asctime)s  # not a comment");
    }

    @Test
    void aKeyMayRepeatInTheTree() {
        ConfigSection top = parse("<x>", "  k 1", "  K 2", "</x>");

        assertThat(top.children().get(0).values("k")).containsExactly("1", "2");
    }

    @Test
    void defineAndAllFormsOfSubstitution() {
        ConfigSection top = parse(
                "%define INSTANCE /srv/zeo",
                "%define var $instance/var",
                "%define EMPTY",
                "<x>",
                "  a $INSTANCE/a",
                "  b ${Instance}b",
                "  c $VAR/Data.fs",
                "  d price: $$5",
                "  e $(HOME_DIR)/e",
                "  f [$EMPTY]",
                "</x>");

        ConfigSection x = top.children().get(0);
        assertThat(x.values("a")).containsExactly("/srv/zeo/a");
        assertThat(x.values("b")).containsExactly("/srv/zeob");
        assertThat(x.values("c")).containsExactly("/srv/zeo/var/Data.fs");
        assertThat(x.values("d")).containsExactly("price: $5");
        assertThat(x.values("e")).containsExactly("/home/zope/e");
        assertThat(x.values("f")).containsExactly("[]");
    }

    @Test
    void redefiningWithTheSameValueIsAllowed() {
        ConfigSection top = parse("%define A 1", "%define a 1", "<x>", "  k $A", "</x>");

        assertThat(top.children().get(0).values("k")).containsExactly("1");
    }

    @Test
    void substitutionErrorsNameTheLine() {
        assertThatThrownBy(() -> parse("<x>", "  path $INSTANCE/Data.fs", "</x>"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("zeo.conf:2: '$INSTANCE' is not defined (a '%define INSTANCE VALUE' line must come"
                        + " before its use)");
        assertThatThrownBy(() -> parse("<x>", "  k $(NOT_SET_ANYWHERE)", "</x>"))
                .hasMessage("zeo.conf:2: environment variable 'NOT_SET_ANYWHERE' (used as '$(NOT_SET_ANYWHERE)')"
                        + " is not set");
        assertThatThrownBy(() -> parse("<x>", "  k ${A", "</x>"))
                .hasMessage("zeo.conf:2: '${A' is not closed by '}'");
        assertThatThrownBy(() -> parse("<x>", "  k 5$", "</x>"))
                .hasMessageStartingWith("zeo.conf:2: a lone '$' ends the value");
        assertThatThrownBy(() -> parse("<x>", "  k $5", "</x>"))
                .hasMessageStartingWith("zeo.conf:2: '$' is not followed by a name");
    }

    @Test
    void defineErrors() {
        assertThatThrownBy(() -> parse("%define A 1", "%define A 2"))
                .hasMessage("zeo.conf:2: cannot redefine 'A' as '2': it is already '1'");
        assertThatThrownBy(() -> parse("%define 9lives x"))
                .hasMessageStartingWith("zeo.conf:1: '9lives' cannot be a %define name");
        assertThatThrownBy(() -> parse("", "%define"))
                .hasMessage("zeo.conf:2: %define needs an argument");
        assertThatThrownBy(() -> parse("%DEFINE A 1"))
                .hasMessage("zeo.conf:1: unknown directive '%DEFINE' (jzeo knows %define and %include)");
        assertThatThrownBy(() -> parse("%import zc.zlibstorage"))
                .hasMessageStartingWith("zeo.conf:1: %import zc.zlibstorage is not supported");
    }

    @Test
    void mismatchedSectionEndNamesBothLines() {
        assertThatThrownBy(() -> parse("<zeo>", "  address 8100", "<filestorage 1>", "  path x", "</zeo>"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("zeo.conf:5: </zeo> does not match <filestorage 1> opened at zeo.conf:3")
                .extracting(e -> ((ConfigException) e).location())
                .isEqualTo(new SourceLocation("zeo.conf", 5));
    }

    @Test
    void unclosedSectionNamesWhereItOpened() {
        assertThatThrownBy(() -> parse("<zeo>", "  address 8100", "</zeo>", "<filestorage 1>", "  path x"))
                .hasMessage("zeo.conf:4: <filestorage 1> is not closed: the file ends (line 5) without"
                        + " </filestorage>");
    }

    @Test
    void malformedLines() {
        assertThatThrownBy(() -> parse("</zeo>")).hasMessage("zeo.conf:1: </zeo> closes nothing: no section is open");
        assertThatThrownBy(() -> parse("<zeo")).hasMessage("zeo.conf:1: malformed section start '<zeo' (missing '>')");
        assertThatThrownBy(() -> parse("<zeo>", "</zeo")).hasMessage(
                "zeo.conf:2: malformed section end '</zeo' (missing '>')");
        assertThatThrownBy(() -> parse("<filestorage one two>")).hasMessage(
                "zeo.conf:1: malformed section start '<filestorage one two>' (expected <type> or <type name>)");
        assertThatThrownBy(() -> parse("<>")).hasMessageStartingWith("zeo.conf:1: malformed section start");
    }

    @Test
    void includeReadsRelativeToTheIncludingFileAndSharesDefines() throws URISyntaxException {
        Path main = Path.of(getClass().getResource("/config/include/main.conf").toURI());

        ConfigSection top = parser.parse(main);

        assertThat(top.children()).extracting(ConfigSection::label)
                .containsExactly("<zeo>", "<filestorage 1>", "<filestorage after>");
        ConfigEntry address = top.children().get(0).entries().get(0);
        assertThat(address.value()).isEqualTo("127.0.0.1:9100");
        assertThat(address.location().file()).endsWith("zeo-address.conf");
        assertThat(address.location().line()).isEqualTo(2);
        assertThat(top.children().get(1).values("path")).containsExactly("/var/lib/jzeo/Data.fs");
        assertThat(top.children().get(2).values("path")).containsExactly("/var/lib/jzeo/last.fs");
    }

    @Test
    void errorsInsideAnIncludedFileNameThatFile() throws IOException {
        write("main.conf", "%define X 1", "%include sub/part.conf");
        write("sub/part.conf", "<zeo>", "  address $NOPE", "</zeo>");

        assertThatThrownBy(() -> parser.parse(dir.resolve("main.conf")))
                .hasMessageStartingWith(dir.resolve("sub/part.conf") + ":2: '$NOPE' is not defined");
    }

    @Test
    void includeOfAMissingFileBlamesTheIncludeLine() throws IOException {
        write("main.conf", "# first", "%include missing.conf");

        assertThatThrownBy(() -> parser.parse(dir.resolve("main.conf")))
                .hasMessage(dir.resolve("main.conf") + ":2: configuration file " + dir.resolve("missing.conf")
                        + " does not exist");
    }

    @Test
    void includeCycleIsRefused() throws IOException {
        write("a.conf", "%include b.conf");
        write("b.conf", "%include a.conf");

        assertThatThrownBy(() -> parser.parse(dir.resolve("a.conf")))
                .hasMessage(dir.resolve("b.conf") + ":1: %include cycle: " + dir.resolve("a.conf")
                        + " is already being read");
    }

    @Test
    void anIncludedFileMustBalanceItsOwnSections() throws IOException {
        write("main.conf", "<zeo>", "%include close.conf");
        write("close.conf", "</zeo>");

        assertThatThrownBy(() -> parser.parse(dir.resolve("main.conf")))
                .hasMessage(dir.resolve("close.conf") + ":1: </zeo> closes nothing: no section is open in this"
                        + " included file");
    }

    @Test
    void aMissingTopLevelFileIsAWholeFileError() {
        Path missing = dir.resolve("nope.conf");

        assertThatThrownBy(() -> parser.parse(missing))
                .hasMessage(missing + ": configuration file " + missing + " does not exist");
    }

    @Test
    void windowsLineEndingsAndByteOrderMarkAreAccepted() throws IOException {
        Files.writeString(dir.resolve("w.conf"), "\uFEFF<zeo>\r\n  address 8100\r\n</zeo>\r\n",
                StandardCharsets.UTF_8);

        ConfigSection top = parser.parse(dir.resolve("w.conf"));

        assertThat(top.children().get(0).values("address")).containsExactly("8100");
    }

    private void write(String name, String... lines) throws IOException {
        Path file = dir.resolve(name);
        Files.createDirectories(file.getParent());
        Files.writeString(file, String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
    }
}
