package org.jzeo.server.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class AccessRulesTest {
    private final AccessRules rules = new AccessRules(Right.READ_ONLY, List.of(
            new AccessRules.Grant("alice", Right.READ_WRITE, Set.of()),
            new AccessRules.Grant("alice", Right.ADMIN, Set.of("2")),
            new AccessRules.Grant("bob", Right.READ_WRITE, Set.of("1"))), List.of());

    @Test
    void grantsNameStoragesOrAllAndTheBestOneWins() {
        assertThat(rules.rightOf("alice", "1")).isEqualTo(Right.READ_WRITE);
        assertThat(rules.rightOf("alice", "2")).isEqualTo(Right.ADMIN);
        assertThat(rules.rightOf("bob", "1")).isEqualTo(Right.READ_WRITE);
        assertThat(rules.rightOf("bob", "2")).as("a user with grants has nothing elsewhere").isEqualTo(Right.NONE);
        assertThat(rules.rightOf("carol", "2")).as("no grants: the default").isEqualTo(Right.READ_ONLY);
    }

    @Test
    void rightsParseAsTheConfigurationSpellsThem() {
        assertThat(Right.parse("read-only")).isEqualTo(Right.READ_ONLY);
        assertThat(Right.parse(" Admin ")).isEqualTo(Right.ADMIN);
        assertThatThrownBy(() -> Right.parse("write")).hasMessageContaining("none, read-only, read-write, admin");
        assertThat(Right.ADMIN.includes(Right.READ_WRITE)).isTrue();
        assertThat(Right.READ_ONLY.includes(Right.READ_WRITE)).isFalse();
    }
}
