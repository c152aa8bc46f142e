package org.jzeo.objects.codec;

/**
 * The allow-list: which classes a state may name, and the stable names they are stored under. The codec never
 * loads a class by a name from a record unless the resolver gives it.
 */
public interface ClassResolver {

    /**
     * The class stored as {@code name}.
     *
     * @throws ForbiddenClassException the name is unknown or not allowed
     */
    Class<?> resolve(String name);

    /**
     * The name {@code type} is stored under.
     *
     * @throws ForbiddenClassException the class is not allowed
     */
    String nameOf(Class<?> type);

    /** The names a field had before (it is read under them, written under its own). */
    String[] formerNames(java.lang.reflect.Field field);

    /** True for types written as references (persistent classes and lazy references), compared by identity. */
    boolean isReferenceType(Class<?> type);
}
