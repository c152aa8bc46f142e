package org.jzeo.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DatatypesTest {

    @ParameterizedTest
    @CsvSource({"on,true", "YES,true", "True,true", "off,false", "no,false", "FALSE,false"})
    void booleans(String text, boolean expected) {
        assertThat(Datatypes.bool(text)).isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "1", "0", "enabled", "y"})
    void notBooleans(String text) {
        assertThatThrownBy(() -> Datatypes.bool(text))
                .hasMessage("'" + text + "' is not a boolean (use on/off, yes/no or true/false)");
    }

    @ParameterizedTest
    @CsvSource({"0,0", "1234,1234", "1KB,1024", "20MB,20971520", "20mb,20971520", "2 GB,2147483648",
            "3Gb,3221225472"})
    void byteSizes(String text, long expected) {
        assertThat(Datatypes.byteSize(text)).isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "MB", "1.5MB", "20 XB", "10TB", "ten"})
    void notByteSizes(String text) {
        assertThatThrownBy(() -> Datatypes.byteSize(text)).hasMessageContaining("is not a byte size");
    }

    @Test
    void negativeAndHugeByteSizes() {
        assertThatThrownBy(() -> Datatypes.byteSize("-1KB")).hasMessage("'-1KB' is negative");
        assertThatThrownBy(() -> Datatypes.byteSize("9999999999999GB")).hasMessage("'9999999999999GB' is too large");
    }

    @ParameterizedTest
    @CsvSource({"30,PT30S", "10s,PT10S", "5m,PT5M", "2h,PT2H", "1d,PT24H", "2.5s,PT2.5S", "0.5,PT0.5S",
            "250ms,PT0.25S", "0,PT0S", "1.5M,PT1M30S"})
    void timeIntervals(String text, Duration expected) {
        assertThat(Datatypes.timeInterval(text)).isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "s", "ten seconds", "10x", "1w", "1e"})
    void notTimeIntervals(String text) {
        assertThatThrownBy(() -> Datatypes.timeInterval(text)).hasMessageContaining("is not a time interval");
    }

    @Test
    void negativeTimeInterval() {
        assertThatThrownBy(() -> Datatypes.timeInterval("-5s")).hasMessage("'-5s' is negative");
    }

    @Test
    void tcpAddresses() {
        assertThat(Datatypes.listenAddress("zeo.example.com:8090")).isEqualTo(tcp("zeo.example.com", 8090));
        assertThat(Datatypes.listenAddress("Zeo.Example.COM:8090")).isEqualTo(tcp("zeo.example.com", 8090));
        assertThat(Datatypes.listenAddress("127.0.0.1:8100")).isEqualTo(tcp("127.0.0.1", 8100));
        assertThat(Datatypes.listenAddress("[::1]:8100")).isEqualTo(tcp("::1", 8100));
        assertThat(Datatypes.listenAddress("[::1]:8100")).hasToString("[::1]:8100");
    }

    @Test
    void aBarePortListensOnEveryInterfaceAsInZeo() {
        ListenAddress address = Datatypes.listenAddress("8100");

        assertThat(address).isEqualTo(tcp("", 8100));
        assertThat(((ListenAddress.Tcp) address).allInterfaces()).isTrue();
        assertThat(Datatypes.listenAddress(":8100")).isEqualTo(tcp("", 8100));
    }

    @Test
    void aHostWithoutPortGetsAnEphemeralPortAsInZeo() {
        assertThat(Datatypes.listenAddress("localhost")).isEqualTo(tcp("localhost", 0));
        assertThat(Datatypes.listenAddress("localhost:")).isEqualTo(tcp("localhost", 0));
        assertThat(Datatypes.listenAddress("::1")).isEqualTo(tcp("::1", 0));
        assertThat(Datatypes.listenAddress("fe80::1:2")).isEqualTo(tcp("fe80::1:2", 0));
    }

    @Test
    void anythingWithASlashIsAUnixSocket() {
        assertThat(Datatypes.listenAddress("/var/run/zeo.sock")).isEqualTo(new ListenAddress.Unix(
                Path.of("/var/run/zeo.sock")));
        assertThat(Datatypes.listenAddress("./zeo.sock")).isEqualTo(new ListenAddress.Unix(Path.of("./zeo.sock")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"localhost:http", "localhost:70000", "host:-1", "[::1]:x"})
    void badPorts(String text) {
        assertThatThrownBy(() -> Datatypes.listenAddress(text))
                .hasMessageStartingWith("'" + text + "' does not end in a valid port (0-65535)");
    }

    @Test
    void badHosts() {
        assertThatThrownBy(() -> Datatypes.listenAddress("my host:8100"))
                .hasMessageStartingWith("'my host:8100' is not a valid address");
        assertThatThrownBy(() -> Datatypes.listenAddress("[::1:8100"))
                .hasMessageStartingWith("'[::1:8100' is not a valid address");
        assertThatThrownBy(() -> Datatypes.listenAddress("  ")).hasMessageStartingWith("an address is required");
    }

    @Test
    void pathsExpandTheHomeDirectoryOnly() {
        String home = System.getProperty("user.home");

        assertThat(Datatypes.path("~/var/Data.fs")).isEqualTo(Path.of(home, "var/Data.fs"));
        assertThat(Datatypes.path("var/~x")).isEqualTo(Path.of("var/~x"));
        assertThatThrownBy(() -> Datatypes.path(" ")).hasMessage("a path is required");
    }

    @Test
    void logLevels() {
        assertThat(LogLevel.parse("INFO")).isEqualTo(LogLevel.INFO);
        assertThat(LogLevel.parse("warn")).isEqualTo(LogLevel.WARNING);
        assertThat(LogLevel.parse("fatal")).isEqualTo(LogLevel.CRITICAL);
        assertThat(LogLevel.parse("blather").value()).isEqualTo(15);
        assertThat(LogLevel.parse("25").value()).isEqualTo(25);
        assertThat(LogLevel.parse("notset").inherits()).isTrue();
        assertThat(LogLevel.parse("blather").toSlf4j()).isEqualTo(org.slf4j.event.Level.DEBUG);
        assertThatThrownBy(() -> LogLevel.parse("51")).hasMessageStartingWith("'51' is not a log level");
        assertThatThrownBy(() -> LogLevel.parse("verbose")).hasMessageStartingWith("'verbose' is not a log level");
    }

    private static ListenAddress tcp(String host, int port) {
        return new ListenAddress.Tcp(host, port);
    }
}
