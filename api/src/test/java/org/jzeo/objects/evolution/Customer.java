package org.jzeo.objects.evolution;

import java.util.ArrayList;
import java.util.List;
import org.jzeo.objects.FormerNames;
import org.jzeo.objects.Persistent;

/**
 * Today's version of the class that wrote {@code object-states/client-v1.state} as {@code Client}: renamed, with a
 * field renamed, one widened from int to long, one removed and one added, and its nested types renamed too.
 */
@FormerNames("org.jzeo.objects.evolution.Client")
public class Customer extends Persistent {
    @FormerNames("org.jzeo.objects.evolution.Client$Status")
    public enum Status { ACTIVE, SUSPENDED, CLOSED }

    @FormerNames("org.jzeo.objects.evolution.Client$Home")
    public static final class Address {
        public String street;
        @FormerNames("zip")
        public String postcode;
        public String country = "UK";

        Address() {
        }
    }

    @FormerNames("org.jzeo.objects.evolution.Client$Note")
    public record Remark(String text, @FormerNames("stars") long rating, String author) {
    }

    @FormerNames("fullName")
    public String name;
    public long balanceCents;
    public String email = "unknown";
    public Status status;
    @FormerNames("home")
    public Address address;
    public List<Remark> notes = new ArrayList<>();

    public Customer() {
    }
}
