package org.jzeo.objects.codec;

/** How the codec turns oids back into objects while reading a state; the object layer implements it. */
public interface ReferenceReader {

    /** The one instance of the persistent object {@code oid} of class {@code type}, loaded now or soon. */
    Object reference(long oid, Class<?> type);

    /** A lazy reference to {@code oid}, a persistent object of class {@code type}, not loaded. */
    Object lazyReference(long oid, Class<?> type);
}
