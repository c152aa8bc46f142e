package org.jzeo.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ScramTest {
    // RFC 7677 §3: user "user", password "pencil".
    private static final String CLIENT_NONCE = "rOprNGfwEbeRWgbNEkqO";
    private static final String SERVER_NONCE = "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0";
    private static final byte[] SALT = Base64.getDecoder().decode("W22ZaJ0SNY7soEsUEjb6gQ==");
    private static final String SERVER_FIRST = "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
            + "s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096";
    private static final String CLIENT_FINAL = "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
            + "p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=";
    private static final String SERVER_FINAL = "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=";

    private static final ScramVerifier PENCIL = ScramVerifier.of("pencil".toCharArray(), SALT, 4096);

    private ScramServerExchange server(String serverNonce) {
        return new ScramServerExchange(Map.of("user", PENCIL)::get, name -> ScramVerifier.of(new char[0]),
                serverNonce);
    }

    @Test
    void clientProducesRfc7677Messages() {
        ScramClient client = new ScramClient("user", "pencil".toCharArray(), CLIENT_NONCE);
        assertThat(client.clientFirst()).isEqualTo("n,,n=user,r=" + CLIENT_NONCE);
        assertThat(client.clientFinal(SERVER_FIRST)).isEqualTo(CLIENT_FINAL);
        client.verifyServerFinal(SERVER_FINAL);
    }

    @Test
    void serverProducesRfc7677Messages() {
        ScramServerExchange server = server(SERVER_NONCE);
        assertThat(server.start("n,,n=user,r=" + CLIENT_NONCE)).isEqualTo(SERVER_FIRST);
        assertThat(server.finish(CLIENT_FINAL)).isEqualTo(SERVER_FINAL);
        assertThat(server.user()).isEqualTo("user");
    }

    @Test
    void wrongPasswordAndUnknownUserFailAtTheProofAlike() {
        ScramClient wrong = new ScramClient("user", "pen".toCharArray());
        ScramServerExchange server = server(Scram.nonce());
        String serverFirst = server.start(wrong.clientFirst());
        assertThatThrownBy(() -> server.finish(wrong.clientFinal(serverFirst)))
                .isInstanceOf(AuthenticationFailure.class).hasMessage("wrong password");

        ScramClient stranger = new ScramClient("nobody", "pencil".toCharArray());
        ScramServerExchange other = server(Scram.nonce());
        String decoyFirst = other.start(stranger.clientFirst());
        assertThat(decoyFirst).contains(",s=", ",i=4096");
        assertThatThrownBy(() -> other.finish(stranger.clientFinal(decoyFirst)))
                .isInstanceOf(AuthenticationFailure.class).hasMessage("unknown user");
    }

    @Test
    void aReplayedClientFinalFailsAgainstAFreshServerNonce() {
        ScramServerExchange server = server(Scram.nonce());
        server.start("n,,n=user,r=" + CLIENT_NONCE);
        assertThatThrownBy(() -> server.finish(CLIENT_FINAL)).isInstanceOf(AuthenticationFailure.class)
                .hasMessageContaining("nonce mismatch");
    }

    @Test
    void clientRejectsAServerThatCannotProveItself() {
        ScramClient client = new ScramClient("user", "pencil".toCharArray(), CLIENT_NONCE);
        client.clientFirst();
        client.clientFinal(SERVER_FIRST);
        assertThatThrownBy(() -> client.verifyServerFinal("v=" + Scram.base64(new byte[32])))
                .isInstanceOf(AuthenticationFailure.class);
        ScramClient weak = new ScramClient("user", "pencil".toCharArray(), CLIENT_NONCE);
        weak.clientFirst();
        assertThatThrownBy(() -> weak.clientFinal(SERVER_FIRST.replace("i=4096", "i=1")))
                .isInstanceOf(AuthenticationFailure.class).hasMessageContaining("iterations");
        ScramClient stolen = new ScramClient("user", "pencil".toCharArray(), CLIENT_NONCE);
        stolen.clientFirst();
        assertThatThrownBy(() -> stolen.clientFinal("r=someoneelse,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096"))
                .isInstanceOf(AuthenticationFailure.class).hasMessageContaining("nonce");
    }

    @Test
    void verifierRoundTripsThroughItsTextForm() {
        String text = PENCIL.format();
        assertThat(text).startsWith("SCRAM-SHA-256$4096:W22ZaJ0SNY7soEsUEjb6gQ==$");
        assertThat(ScramVerifier.parse(text)).isEqualTo(PENCIL);
        assertThatThrownBy(() -> ScramVerifier.parse("md5abc")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ScramVerifier.parse("SCRAM-SHA-256$x:y$z")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void namesWithCommasAndEqualsSurviveTheEncoding() {
        assertThat(Scram.decodeName(Scram.encodeName("a,b=c"))).isEqualTo("a,b=c");
        assertThatThrownBy(() -> Scram.decodeName("a=4")).isInstanceOf(AuthenticationFailure.class);
    }
}
