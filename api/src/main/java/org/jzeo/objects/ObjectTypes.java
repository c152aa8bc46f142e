package org.jzeo.objects;

import java.lang.reflect.Field;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.jzeo.objects.codec.ClassResolver;
import org.jzeo.objects.codec.ForbiddenClassException;

/**
 * The classes an object database may store and read: the allow-list. A record naming any other class is refused
 * with an error naming the class and the record, before anything is instantiated; nothing is ever loaded by a name
 * read from the database unless it is listed here (one by one, or by package). The JDK's value types (strings,
 * numbers, {@code java.time}, {@code UUID}, collections) and jzeo's containers are always allowed.
 *
 * <p>Classes are stored under their fully qualified name; a class renamed later lists its old names with
 * {@link FormerNames}, and so does a renamed field. Immutable and thread-safe once built.
 */
public final class ObjectTypes {
    private static final List<Class<?>> BUILT_IN = List.of(Object.class, String.class, Boolean.class,
            Character.class, Byte.class, Short.class, Integer.class, Long.class, Float.class, Double.class,
            BigInteger.class, BigDecimal.class, java.util.UUID.class, java.util.Date.class,
            java.time.Instant.class, java.time.LocalDate.class, java.time.LocalDateTime.class,
            java.time.LocalTime.class, java.time.ZonedDateTime.class, java.time.OffsetDateTime.class,
            java.time.Duration.class, java.time.Period.class, java.time.YearMonth.class,
            PersistentMap.class, PersistentList.class, PersistentSet.class,
            PersistentSortedMap.class, BTreeNode.class, BTreeBucket.class, Counter.class, Blob.class);

    private final Map<String, Class<?>> byName;
    private final List<String> packages;
    private final ClassLoader loader;
    private final Resolver resolver = new Resolver();

    private ObjectTypes(Map<String, Class<?>> byName, List<String> packages, ClassLoader loader) {
        this.byName = Map.copyOf(byName);
        this.packages = List.copyOf(packages);
        this.loader = loader;
    }

    /** The JDK value types and jzeo's containers, plus {@code classes}. */
    public static ObjectTypes of(Class<?>... classes) {
        return builder().allow(classes).build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Builds an allow-list. */
    public static final class Builder {
        private final Map<String, Class<?>> byName = new HashMap<>();
        private final List<String> packages = new ArrayList<>();
        private ClassLoader loader;

        private Builder() {
            BUILT_IN.forEach(this::add);
        }

        /** Allows these classes (and remembers their {@link FormerNames}). */
        public Builder allow(Class<?>... classes) {
            for (Class<?> c : classes) {
                add(Objects.requireNonNull(c, "class"));
            }
            return this;
        }

        /**
         * Allows every class in these packages (not their subpackages), loaded through {@code loader} (in an
         * application server, the application's class loader: {@code getClass().getClassLoader()}).
         */
        public Builder allowPackages(ClassLoader loader, String... packageNames) {
            this.loader = Objects.requireNonNull(loader, "loader");
            packages.addAll(Arrays.asList(packageNames));
            return this;
        }

        private void add(Class<?> c) {
            byName.put(c.getName(), c);
            FormerNames former = c.getAnnotation(FormerNames.class);
            if (former != null) {
                for (String name : former.value()) {
                    byName.putIfAbsent(name, c);
                }
            }
        }

        public ObjectTypes build() {
            return new ObjectTypes(byName, packages, loader);
        }
    }

    /** Equal allow-lists admit the same classes under the same names. */
    @Override
    public boolean equals(Object o) {
        return o instanceof ObjectTypes other && other.byName.equals(byName) && other.packages.equals(packages)
                && other.loader == loader;
    }

    @Override
    public int hashCode() {
        return byName.hashCode() * 31 + packages.hashCode();
    }

    /** This allow-list as the codec uses it: for an {@link org.jzeo.objects.codec.ObjectCodec} of one's own. */
    public ClassResolver resolver() {
        return resolver;
    }

    /** True if {@code type} may be stored. */
    public boolean allows(Class<?> type) {
        return isAllowed(type);
    }

    private boolean isAllowed(Class<?> type) {
        if (type.isArray()) {
            return type.getComponentType().isPrimitive() || isAllowed(type.getComponentType());
        }
        return byName.get(type.getName()) == type || (type.getPackage() != null
                && packages.contains(type.getPackageName()) && !type.isAnonymousClass() && !type.isLocalClass());
    }

    private final class Resolver implements ClassResolver {
        private final Map<String, Class<?>> loaded = new ConcurrentHashMap<>();

        @Override
        public Class<?> resolve(String name) {
            Class<?> known = byName.get(name);
            if (known != null) {
                return known;
            }
            Class<?> cached = loaded.get(name);
            if (cached != null) {
                return cached;
            }
            int dot = name.lastIndexOf('.');
            if (loader != null && dot > 0 && packages.contains(name.substring(0, dot)) && name.indexOf('[') < 0) {
                try {
                    Class<?> c = Class.forName(name, false, loader);
                    if (c.getName().equals(name)) {
                        loaded.put(name, c);
                        return c;
                    }
                } catch (ClassNotFoundException | LinkageError e) {
                    throw new ForbiddenClassException("class " + name + " is allowed by package but cannot be"
                            + " loaded here: " + e);
                }
            }
            throw new ForbiddenClassException("class " + name + " is not allowed: add it to the ObjectTypes of this"
                    + " database (or, if it was renamed, list the old name in @FormerNames on the new class)");
        }

        @Override
        public String nameOf(Class<?> type) {
            if (!isAllowed(type)) {
                throw new ForbiddenClassException("cannot store an instance of " + type.getName()
                        + ": the class is not allowed; add it to the ObjectTypes of this database");
            }
            return type.getName();
        }

        @Override
        public String[] formerNames(Field field) {
            FormerNames former = field.getAnnotation(FormerNames.class);
            return former == null ? new String[0] : former.value();
        }

        @Override
        public boolean isReferenceType(Class<?> type) {
            return Persistent.class.isAssignableFrom(type) || type == Lazy.class;
        }
    }
}
