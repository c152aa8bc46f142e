package org.jzeo.e2e.objects;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import org.jzeo.api.Oid;
import org.jzeo.api.POSKeyException;
import org.jzeo.api.Tid;
import org.jzeo.client.ClientConnectionFactory;
import org.jzeo.client.ClientOptions;
import org.jzeo.e2e.ChildJvm;
import org.jzeo.e2e.objects.Model.Account;
import org.jzeo.e2e.objects.Model.Customer;
import org.jzeo.e2e.objects.Model.Note;
import org.jzeo.e2e.objects.Model.Order;
import org.jzeo.objects.Counter;
import org.jzeo.objects.Lazy;
import org.jzeo.objects.ObjectConnection;
import org.jzeo.objects.ObjectDatabase;
import org.jzeo.objects.Persistent;
import org.jzeo.objects.PersistentList;
import org.jzeo.objects.PersistentMap;
import org.jzeo.objects.PersistentSortedMap;

/**
 * A client process of the object-layer end-to-end tests: an {@link ObjectDatabase} over a
 * {@link ClientConnectionFactory} of the server given as its only argument, with an in-memory client cache (so a
 * new child always starts cold). It prints {@code ready}, then reads commands from stdin, one a line, and answers
 * each with one line starting with the command's reply word (or {@code failed ...} and a stack trace).
 */
public final class ObjectChild {
    static final String FAILED = "failed ";
    static final Duration WAIT = Duration.ofSeconds(60);
    private static final PrintStream OUT = System.out;

    private static ClientConnectionFactory factory;
    private static ObjectDatabase db;

    /** What {@code read-shop} read, kept (with its connection) for {@code recheck-shop}. */
    private static ObjectConnection held;
    private static Customer heldAnn;
    private static Order heldFirstOrder;
    private static Account heldAccount;
    private static PersistentSortedMap<String, Account> heldAccounts;

    private ObjectChild() {
    }

    /** Starts a child for the server at {@code hostPort}; returns once it is connected and ready. */
    static ChildJvm start(java.nio.file.Path stderr, String hostPort) throws Exception {
        ChildJvm child = ChildJvm.start(ObjectChild.class, stderr, List.of(hostPort), "192m",
                line -> !line.startsWith("keys "), FAILED);
        child.awaitNext("ready", WAIT);
        return child;
    }

    public static void main(String[] args) {
        try {
            factory = new ClientConnectionFactory(ClientOptions.of(args[0])
                    .withDisconnectPoll(Duration.ofMillis(100), Duration.ofMillis(500))
                    .withWait(true, Duration.ofSeconds(30)));
            // Many attempts: in the storm, a transaction whose bucket split under it is run again.
            db = ObjectDatabase.builder(factory, Model.TYPES)
                    .retries(100, Duration.ofMillis(2), Duration.ofMillis(100)).build();
            say("ready");
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            for (String line; (line = in.readLine()) != null; ) {
                String[] w = line.trim().split(" ");
                switch (w[0]) {
                    case "store-shop" -> say("stored " + commit(ObjectChild::storeShop));
                    case "read-shop" -> say("read " + readShop());
                    case "change-shop" -> say("changed " + commit(ObjectChild::changeShop));
                    case "recheck-shop" -> say("recheck " + recheckShop(Tid.fromHex(w[1])));
                    case "setup-contention" -> say("setup " + commit(ObjectChild::setupContention));
                    case "hold" -> say("holding " + hold(w[1]));
                    case "commit-held" -> say("committed-held " + commitHeld());
                    case "storm" -> say("storm " + storm(w[1], Integer.parseInt(w[2])));
                    case "read-contention" -> readContention();
                    case "store-graph" -> say("graph " + storeGraph());
                    case "walk-graph" -> say("walk " + walkGraph());
                    case "load" -> say("load " + load(w.length > 1 ? w[1] : ""));
                    case "setup-kill" -> say("setup " + commit(c -> {
                        c.root().put("kill", new Customer("K"));
                        c.root().put("killCount", new Counter());
                    }));
                    case "commit-orders" -> say("acked " + commitOrders(Integer.parseInt(w[1])));
                    case "read-kill" -> say("kill " + readKill());
                    case "exit" -> {
                        factory.close();
                        say("bye");
                        System.exit(0);
                    }
                    default -> throw new IllegalArgumentException("command " + line);
                }
            }
            System.exit(0);
        } catch (Throwable e) {
            e.printStackTrace(OUT);
            say(FAILED + e);
            System.exit(2);
        }
    }

    private static void say(String line) {
        OUT.println(line);
        OUT.flush();
    }

    /** Runs {@code work} in a new transaction of a new connection and commits it; the commit's tid. */
    private static Tid commit(Consumer<ObjectConnection> work) {
        try (ObjectConnection c = db.open()) {
            c.begin();
            work.accept(c);
            return c.commit();
        }
    }

    @SuppressWarnings("unchecked")
    private static <T> T root(ObjectConnection c, String name) {
        return (T) c.root().get(name);
    }

    // ------------------------------------------------------------------ sharing objects between processes

    private static String account(int i) {
        return String.format("acct-%03d", i);
    }

    private static void storeShop(ObjectConnection c) {
        Customer ann = new Customer("Ann");
        ann.orders.add(new Order("book", 1250));
        ann.orders.add(new Order("pen", 199));
        PersistentSortedMap<String, Account> accounts = new PersistentSortedMap<>();
        for (int i = 0; i < 100; i++) {
            accounts.put(account(i), new Account("owner" + i, i * 10L));
        }
        c.root().put("ann", ann);
        c.root().put("accounts", accounts);
    }

    private static String readShop() {
        held = db.open();
        held.begin();
        heldAnn = root(held, "ann");
        heldFirstOrder = heldAnn.orders.get(0);
        heldAccounts = root(held, "accounts");
        heldAccount = heldAccounts.get(account(42));
        String seen = describeShop();
        held.commit(); // nothing changed: ends the transaction, the objects stay in the connection's cache
        return seen;
    }

    /** The state of the objects {@code read-shop} kept, read from those very instances. */
    private static String describeShop() {
        return "name=" + heldAnn.name + " credit=" + heldAnn.credit + " orders="
                + String.join(",", heldAnn.orders.stream().map(Order::toString).toList()) + " firstOrder="
                + heldFirstOrder + " accounts=" + heldAccounts.size() + " acct-042=" + heldAccount.balance
                + " acct-100=" + heldAccounts.containsKey(account(100));
    }

    private static void changeShop(ObjectConnection c) {
        Customer ann = root(c, "ann");
        ann.credit += 10;
        ann.orders.get(0).cents = 999;
        ann.orders.add(new Order("ink", 50));
        PersistentSortedMap<String, Account> accounts = root(c, "accounts");
        accounts.get(account(42)).balance += 500;
        accounts.put(account(100), new Account("owner100", 7));
    }

    /**
     * Waits until this client has heard of transaction {@code tid} (invalidations travel asynchronously), then
     * starts a transaction on the kept connection and describes the kept instances, and whether the objects read
     * now are those same instances.
     */
    private static String recheckShop(Tid tid) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        long polls = 0;
        while (held.storage().lastTransaction().isBefore(tid)) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("this client never heard of " + tid);
            }
            polls++;
            LockSupport.parkNanos(1_000_000);
        }
        held.begin();
        String seen = describeShop(); // the kept instances, refreshed in place by begin()
        Customer ann = root(held, "ann");
        PersistentSortedMap<String, Account> accounts = root(held, "accounts");
        String same = " sameAnn=" + (ann == heldAnn) + " sameFirstOrder=" + (ann.orders.get(0) == heldFirstOrder)
                + " sameAccounts=" + (accounts == heldAccounts) + " sameAccount=" + (accounts.get(account(42))
                == heldAccount) + " polls=" + polls;
        held.commit();
        return seen + same;
    }

    // ------------------------------------------------------------------ merged conflicts

    private static void setupContention(ObjectConnection c) {
        PersistentSortedMap<String, Integer> map = new PersistentSortedMap<>();
        map.put("a", 0);
        map.put("z", 0);
        c.root().put("map", map);
        c.root().put("count", new Counter());
    }

    /** Increments the counter and inserts {@code key} in a transaction left open for {@code commit-held}. */
    private static String hold(String key) {
        held = db.open();
        held.begin();
        Counter count = root(held, "count");
        PersistentSortedMap<String, Integer> map = root(held, "map");
        count.add(1);
        map.put(key, 1);
        return key;
    }

    private static String commitHeld() {
        long resolvedBefore = factory.resolvedConflicts();
        Tid tid = held.commit();
        held.close();
        return tid + " resolved=" + (factory.resolvedConflicts() - resolvedBefore);
    }

    /** {@code n} transactions, each incrementing the counter and inserting its own key; attempts and merges. */
    private static String storm(String tag, int n) {
        AtomicLong attempts = new AtomicLong();
        long resolvedBefore = factory.resolvedConflicts();
        for (int i = 0; i < n; i++) {
            String key = String.format("s%04d-%s", i, tag);
            db.run(c -> {
                attempts.incrementAndGet();
                Counter count = root(c, "count");
                PersistentSortedMap<String, Integer> map = root(c, "map");
                count.add(1);
                map.put(key, 1);
            });
        }
        return "transactions=" + n + " attempts=" + attempts + " resolved="
                + (factory.resolvedConflicts() - resolvedBefore);
    }

    private static void readContention() {
        try (ObjectConnection c = db.open()) {
            c.begin();
            Counter count = root(c, "count");
            PersistentSortedMap<String, Integer> map = root(c, "map");
            StringJoiner keys = new StringJoiner(",");
            map.keySet().forEach(keys::add);
            say("keys " + keys);
            say("contention count=" + count.get() + " size=" + map.size());
            c.abort();
        }
    }

    // ------------------------------------------------------------------ pack

    private static String oids(List<? extends Persistent> objects) {
        StringJoiner j = new StringJoiner(",");
        objects.forEach(p -> j.add(Persistent.oidOf(p).toString()));
        return j.toString();
    }

    /**
     * Stores a graph, then (in a second transaction) makes part of it unreachable. Answers with the oids of the
     * objects still reachable and of those no longer reachable, and the second transaction's tid.
     */
    private static String storeGraph() {
        List<Persistent> reachable = new ArrayList<>();
        List<Persistent> gone = new ArrayList<>();
        commit(c -> {
            Customer ann = new Customer("Ann");
            ann.orders.add(new Order("book", 1250)); // plain list field
            ann.orders.add(new Order("pen", 199));
            ann.orders.add(new Order("dropped", 1));
            ann.note = new Note("ann's note"); // plain field
            Customer bob = new Customer("Bob"); // reachable only through ann's Lazy field
            bob.orders.add(new Order("lamp", 4000));
            bob.referrer = Lazy.of(new Customer("Dave")); // to be replaced
            ann.referrer = Lazy.of(bob);
            PersistentList<Note> notes = new PersistentList<>();
            for (int i = 1; i <= 5; i++) {
                notes.add(new Note("note " + i));
            }
            PersistentMap<String, Order> byId = new PersistentMap<>();
            byId.put("o1", new Order("chair", 300));
            byId.put("o2", new Order("desk", 900));
            PersistentSortedMap<String, Account> accounts = new PersistentSortedMap<>();
            for (int i = 0; i < 200; i++) {
                accounts.put(account(i), new Account("owner" + i, i));
            }
            Customer carl = new Customer("Carl");
            carl.orders.add(new Order("sofa", 70000));
            PersistentSortedMap<String, Account> old = new PersistentSortedMap<>();
            for (int i = 0; i < 100; i++) {
                old.put(account(i), new Account("old" + i, i));
            }
            c.root().put("ann", ann);
            c.root().put("notes", notes);
            c.root().put("byId", byId);
            c.root().put("accounts", accounts);
            c.root().put("carl", carl);
            c.root().put("old", old);
        });
        Tid tid = commit(c -> {
            Customer ann = root(c, "ann");
            Customer bob = ann.referrer.get();
            PersistentList<Note> notes = root(c, "notes");
            PersistentMap<String, Order> byId = root(c, "byId");
            PersistentSortedMap<String, Account> accounts = root(c, "accounts");
            Customer carl = root(c, "carl");
            PersistentSortedMap<String, Account> old = root(c, "old");

            gone.add(ann.orders.remove(2));
            gone.add(bob.referrer.get());
            bob.referrer = null;
            gone.add(notes.remove(4));
            gone.add(byId.remove("o2"));
            for (int i = 150; i < 160; i++) {
                gone.add(accounts.remove(account(i)));
            }
            gone.add(carl);
            gone.addAll(carl.orders);
            gone.add(old);
            gone.addAll(old.values());
            c.root().remove("carl");
            c.root().remove("old");

            reachable.add(c.root());
            reachable.add(ann);
            reachable.addAll(ann.orders);
            reachable.add(ann.note);
            reachable.add(bob);
            reachable.addAll(bob.orders);
            reachable.add(notes);
            reachable.addAll(notes);
            reachable.add(byId);
            reachable.addAll(byId.values());
            reachable.add(accounts);
            reachable.addAll(accounts.values());
        });
        return tid + " reachable=" + oids(reachable) + " gone=" + oids(gone);
    }

    /** Reads the graph {@code store-graph} left, from the root, and describes it. */
    private static String walkGraph() {
        try (ObjectConnection c = db.open()) {
            c.begin();
            Customer ann = root(c, "ann");
            Customer bob = ann.referrer.get();
            PersistentList<Note> notes = root(c, "notes");
            PersistentMap<String, Order> byId = root(c, "byId");
            PersistentSortedMap<String, Account> accounts = root(c, "accounts");
            StringJoiner noteTexts = new StringJoiner(",");
            notes.forEach(n -> noteTexts.add(n.text));
            long balances = 0;
            int count = 0;
            String previous = "";
            boolean ordered = true;
            for (Map.Entry<String, Account> e : accounts.entrySet()) {
                balances += e.getValue().balance;
                ordered &= e.getKey().compareTo(previous) > 0 && e.getValue().owner.equals("owner"
                        + Integer.parseInt(e.getKey().substring(5)));
                previous = e.getKey();
                count++;
            }
            String walked = "root=" + new java.util.TreeSet<>(c.root().keySet()) + " ann=" + ann.name + " orders="
                    + ann.orders + " note=" + ann.note.text.replace(' ', '_') + " bob=" + bob.name + " bobOrders="
                    + bob.orders + " bobReferrer=" + bob.referrer + " notes=" + noteTexts.toString().replace(' ', '_')
                    + " byId=" + new java.util.TreeMap<>(byId) + " accounts=" + count + " size=" + accounts.size()
                    + " balances=" + balances + " ordered=" + ordered;
            c.abort();
            return walked.replace(", ", ",");
        }
    }

    /** Reads each oid (hex, comma-separated) in a transaction of its own: "ok=N missing=oid,..". */
    private static String load(String hexes) {
        int ok = 0;
        StringJoiner missing = new StringJoiner(",");
        for (String hex : hexes.split(",")) {
            if (hex.isEmpty()) {
                continue;
            }
            Oid oid = Oid.fromHex(hex);
            try (ObjectConnection c = db.open()) {
                c.begin();
                try {
                    Object o = c.get(oid);
                    if (!(o instanceof Persistent)) {
                        throw new AssertionError(oid + " read as " + o);
                    }
                    ok++;
                } catch (POSKeyException e) {
                    missing.add(hex);
                }
                c.abort();
            }
        }
        return "ok=" + ok + " missing=" + missing;
    }

    // ------------------------------------------------------------------ server killed

    /** {@code n} transactions, each adding an order to the customer "kill" and 1 to the counter; the last tid. */
    private static String commitOrders(int n) {
        Tid last = null;
        for (int i = 0; i < n; i++) {
            int number = i;
            last = commit(c -> {
                Customer k = root(c, "kill");
                Counter count = root(c, "killCount");
                k.orders.add(new Order("o" + (count.get() + 1), number));
                count.add(1);
            });
        }
        return n + " " + last;
    }

    private static String readKill() {
        try (ObjectConnection c = db.open()) {
            c.begin();
            Customer k = root(c, "kill");
            Counter count = root(c, "killCount");
            List<String> items = new ArrayList<>();
            k.orders.forEach(o -> items.add(o.item));
            String seen = "count=" + count.get() + " orders=" + String.join(",", items) + " last="
                    + c.storage().lastTransaction();
            c.abort();
            return seen;
        }
    }
}
